import { describe, expect, it } from 'vitest';
import * as codegen from 'sluice/codegen';
import * as dsl from 'sluice/dsl';
import * as ir from 'sluice/ir';

// Issue 12, item 7: `sluice/dsl` is what a pipeline author writes with; the IR's schemas, validator,
// digest and graph helpers are `sluice/ir`, code generation `sluice/codegen`. A name added to the
// authoring surface is a decision, so the list is spelled out here.
const AUTHORING_VALUES = [
  'APPROVAL_COMPONENT_NAME', 'DslError', 'NonRetryableError', 'PipelineValidationError', 'SluiceError',
  'and', 'approval', 'collect', 'command', 'compile', 'component', 'eq', 'ge', 'gt', 'isComponent',
  'ifRan', 'isNestedPipelineComponent', 'isPipeline', 'le', 'lt', 'ne', 'not', 'oneOf', 'or', 'pipeline', 't', 'toMs', 'tune',
];

describe('the public surfaces of the DSL, the IR and codegen', () => {
  it('sluice/dsl exports the authoring names only', () => {
    expect(Object.keys(dsl).sort()).toEqual([...AUTHORING_VALUES].sort());
  });

  it('keeps defineComponent internal: components are made with component() or command()', () => {
    expect('defineComponent' in dsl).toBe(false);
  });

  it('serves the IR schemas, validator and graph helpers from sluice/ir, not from sluice/dsl', () => {
    for (const name of ['pipelineSpecSchema', 'validatePipeline', 'indexPipeline', 'pipelineDigest', 'formatIssue']) {
      expect(name in dsl, name).toBe(false);
    }
    expect(typeof ir.validatePipeline).toBe('function');
    expect(typeof ir.indexPipeline).toBe('function');
  });

  it('serves code generation from sluice/codegen', () => {
    expect('generatePipelineSource' in dsl).toBe(false);
    expect(typeof codegen.generatePipelineSource).toBe('function');
  });
});
