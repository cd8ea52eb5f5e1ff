// lint-bpmn.mjs — every bundled procedure's BPMN passes bpmnlint's
// recommended rules, as they are (`bpmnlint:recommended`, no rule turned off
// or down): no error; warnings are printed, not failed.
//
// bpmnlint is the linter of bpmn.io (the modeler's "problems" panel runs the
// same rules); its version is pinned in package.json.
// The procedures are the bundled ones and tests/bpmn/procedures (procedures.mjs).
// Usage: node lint-bpmn.mjs path/to/motcua path/to/workflows
import { createRequire } from 'node:module';
import BpmnModdle from 'bpmn-moddle';
import { draw, procedures } from './procedures.mjs';

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

const [motcua, workflows] = process.argv.slice(2);
if (!motcua || !workflows) {
  console.error('usage: node lint-bpmn.mjs MOTCUA WORKFLOWS_DIR');
  process.exit(2);
}

const moddle = new BpmnModdle();

// { errors: [...], warnings: [...] }, each "rule: element: message".
async function lint(xml) {
  const { rootElement } = await moddle.fromXML(xml);
  // A new linter each time: a Linter keeps its rules, and a rule keeps what
  // it saw (no-duplicate-sequence-flows would compare with the last file).
  // The rules are resolved from this directory's node_modules, wherever the
  // test runs from.
  const linter = new Linter({
    config: { extends: 'bpmnlint:recommended' },
    resolver: new NodeResolver({ require }),
  });
  const reports = await linter.lint(rootElement);
  const out = { errors: [], warnings: [] };
  for (const [rule, list] of Object.entries(reports))
    for (const r of list)
      (r.category === 'error' ? out.errors : out.warnings).push(`${rule}: ${r.id}: ${r.message}`);
  return out;
}

const failures = [];
for (const { name: f, path } of procedures(workflows, failures)) {
  const { errors, warnings } = await lint(draw(motcua, path, 'bpmn'));
  for (const w of warnings) console.log(`warn ${f}: ${w}`);
  for (const e of errors) failures.push(`${f}: ${e}`);
  console.log(`${errors.length ? 'FAIL' : 'ok  '} ${f}: ${errors.length} errors, ${warnings.length} warnings`);
}

// The check itself must be able to fail: a task that splits implicitly, a
// flow node without a name and one without a shape are errors of the
// recommended rules.
const bad = await lint(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="d" targetNamespace="urn:t">
  <bpmn:process id="p">
    <bpmn:startEvent id="s" name="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id="t"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:task>
    <bpmn:endEvent id="e" name="e"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />
    <bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="e" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="di"><bpmndi:BPMNPlane id="plane" bpmnElement="p" /></bpmndi:BPMNDiagram>
</bpmn:definitions>`);
for (const rule of ['no-implicit-split', 'label-required', 'no-bpmndi'])
  if (!bad.errors.some((e) => e.startsWith(rule + ':'))) failures.push(`self-test: bpmnlint did not report ${rule}`);

if (failures.length) {
  for (const m of failures) console.error('FAIL ' + m);
  process.exit(1);
}
console.log('bpmnlint (recommended): no errors');
