/** engine/automation: public entry point (other folders import only this file). */
export * from './schedules/index';
export * from './triggers/index';
