/** engine/temporal/devServer: public entry point (other folders import only this file). */
export { DevServer } from './DevServer';
