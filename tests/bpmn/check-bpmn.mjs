// check-bpmn.mjs — motcua's drawings, checked by the tools that will read them.
//
// For every bundled procedure, and those of tests/bpmn/procedures (procedures.mjs):
//   - `motcua graph --format bpmn` is imported by bpmn.io's own parser
//     (bpmn-moddle) with zero warnings; every flow node has a shape and every
//     sequence flow an edge with at least two waypoints, starting on its
//     source's border and ending on its target's, through no other shape;
//     no two shapes overlap
//     (a boundary timer sits on its own task's border, as BPMN draws it);
//     every node lies inside its lane, every lane inside the pool;
//   - timers say their time in ISO 8601 (P8D, PT3H) from the step's start,
//     and how motcua counts it in its extension elements (docs/DSL.md); a
//     warning or an escalation leads to a message end event; the timers
//     below are what their steps say;
//   - a parallel join takes one flow from each branch of its fork, and a
//     final state reached on a branch is a terminate end event;
//   - `motcua graph --format mermaid` is accepted by Mermaid's own parser.
// Usage: node check-bpmn.mjs path/to/motcua path/to/workflows
import BpmnModdle from 'bpmn-moddle';
import { JSDOM } from 'jsdom';
import { draw, procedures } from './procedures.mjs';

const [motcua, workflows] = process.argv.slice(2);
if (!motcua || !workflows) {
  console.error('usage: node check-bpmn.mjs MOTCUA WORKFLOWS_DIR');
  process.exit(2);
}

// Mermaid needs a DOM even to parse.
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const name of ['Element', 'HTMLElement', 'Node', 'DocumentFragment', 'DOMParser', 'MutationObserver'])
  if (!(name in globalThis)) globalThis[name] = dom.window[name];
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

const moddle = new BpmnModdle();

// Timers whose time is worked out from the procedure: [interrupting,
// timeDuration, motcua:workingTime, motcua:policyTime, motcua:beforeDue].
const timers = {
  'birth-registration.mc': {
    // within 4 working hours, warn 1 working hour before: at 3 working hours.
    Timer_processing_1: [false, 'PT3H', 'working_hours 3', null, 'working_hours 1'],
    Timer_supplement_1: [true, null, null, 'supplement_window', null],
  },
  'house-construction-permit.mc': {
    // within 10 days, warn 2 days before: at 8 days (calendar days: no extension).
    Timer_appraisal_1: [false, 'P8D', null, null, 'calendar_days 2'],
  },
  'feedback.mc': {
    // within the policy's time: only relative to it.
    Timer_answer_1: [false, null, null, 'feedback_answer_limit', 'working_days 1'],
    Timer_answer_2: [false, null, null, 'feedback_answer_limit', null], // escalate to leader
  },
  'household-business-registration.mc': {
    Timer_processing_2: [false, 'P2D', 'working_days 2', null, null], // escalate to leader at the limit
  },
  'parallel-actions.mc': {
    Timer_recheck_1: [false, null, null, null, 'working_hours 4'], // hours before a limit in days
    Timer_tax_check_1: [true, 'P5D', 'working_days 5', null, null],
    Timer_result_1: [false, 'PT24H', null, null, null], // within 24 giờ: plain hours, no working time
  },
};
const iso8601 = /^P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?$/;
const extension = (el, name) => (el.extensionElements?.values || []).find((v) => v.$type === 'motcua:' + name);
const definition = (el, type) => (el.eventDefinitions || []).some((d) => d.$type === type);
const amount = (x) => (x ? `${x.unit} ${x.amount}` : null);
const failures = [];
const fail = (file, msg) => failures.push(`${file}: ${msg}`);

const overlap = (a, b) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (inner, outer) =>
  inner.x >= outer.x && inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
// A point on (or within 1 px of) a shape's border.
const onBorder = (p, b) => {
  const nearX = p.x >= b.x - 1 && p.x <= b.x + b.width + 1;
  const nearY = p.y >= b.y - 1 && p.y <= b.y + b.height + 1;
  const onV = Math.abs(p.x - b.x) <= 1 || Math.abs(p.x - (b.x + b.width)) <= 1;
  const onH = Math.abs(p.y - b.y) <= 1 || Math.abs(p.y - (b.y + b.height)) <= 1;
  return (onV && nearY) || (onH && nearX);
};

for (const { name: f, path } of procedures(workflows, failures)) {
  const xml = draw(motcua, path, 'bpmn');
  const { rootElement: defs, warnings } = await moddle.fromXML(xml);
  for (const w of warnings) fail(f, `bpmn-moddle warning: ${w.message}`);

  const process_ = defs.rootElements.find((e) => e.$type === 'bpmn:Process');
  const elements = process_.flowElements;
  const nodes = elements.filter((e) => e.$type !== 'bpmn:SequenceFlow');
  const flows = elements.filter((e) => e.$type === 'bpmn:SequenceFlow');
  const plane = defs.diagrams[0].plane;
  const shapeOf = new Map();
  const edgeOf = new Map();
  for (const d of plane.planeElement) {
    if (d.$type === 'bpmndi:BPMNShape') shapeOf.set(d.bpmnElement.id, d);
    if (d.$type === 'bpmndi:BPMNEdge') edgeOf.set(d.bpmnElement.id, d);
  }

  if (!nodes.some((n) => n.$type === 'bpmn:StartEvent')) fail(f, 'no start event');
  if (!nodes.some((n) => n.$type === 'bpmn:EndEvent')) fail(f, 'no end event');
  for (const n of nodes) if (!shapeOf.has(n.id)) fail(f, `${n.id} has no shape`);
  for (const s of flows) {
    const edge = edgeOf.get(s.id);
    if (!edge) { fail(f, `${s.id} has no edge`); continue; }
    const wp = edge.waypoint || [];
    if (wp.length < 2) { fail(f, `${s.id} has ${wp.length} waypoints`); continue; }
    const src = shapeOf.get(s.sourceRef.id), dst = shapeOf.get(s.targetRef.id);
    if (src && !onBorder(wp[0], src.bounds)) fail(f, `${s.id} does not start on ${s.sourceRef.id}`);
    if (dst && !onBorder(wp[wp.length - 1], dst.bounds)) fail(f, `${s.id} does not end on ${s.targetRef.id}`);
    for (let i = 1; i < wp.length; i++)
      if (wp[i].x !== wp[i - 1].x && wp[i].y !== wp[i - 1].y) fail(f, `${s.id} has a slanted segment`);
    // It passes through no shape but its own ends (and its timer's task).
    const ends = (n) => n === s.sourceRef || n === s.targetRef || n === s.sourceRef.attachedToRef;
    for (const n of nodes.filter((n) => shapeOf.has(n.id) && !ends(n))) {
      const b = shapeOf.get(n.id).bounds;
      const through = wp.slice(1).some((q, i) => {
        const p = wp[i];
        return Math.max(p.x, q.x) > b.x + 1 && Math.min(p.x, q.x) < b.x + b.width - 1 &&
          Math.max(p.y, q.y) > b.y + 1 && Math.min(p.y, q.y) < b.y + b.height - 1;
      });
      if (through) fail(f, `${s.id} runs through ${n.id}`);
    }
  }

  // No two shapes overlap; a boundary event may only touch its own host.
  const placed = nodes.filter((n) => shapeOf.has(n.id));
  for (let i = 0; i < placed.length; i++)
    for (let j = 0; j < i; j++) {
      const a = placed[i], b = placed[j];
      const host = (x, y) => x.$type === 'bpmn:BoundaryEvent' && x.attachedToRef && x.attachedToRef.id === y.id;
      if (host(a, b) || host(b, a)) continue;
      if (overlap(shapeOf.get(a.id).bounds, shapeOf.get(b.id).bounds)) fail(f, `${a.id} overlaps ${b.id}`);
    }

  // Lanes: every node in exactly the lane that lists it, lanes in the pool.
  const participant = defs.rootElements.find((e) => e.$type === 'bpmn:Collaboration').participants[0];
  const pool = shapeOf.get(participant.id).bounds;
  const lanes = process_.laneSets[0].lanes;
  for (const lane of lanes) {
    const lb = shapeOf.get(lane.id)?.bounds;
    if (!lb) { fail(f, `lane ${lane.id} has no shape`); continue; }
    if (!inside(lb, pool)) fail(f, `lane ${lane.id} outside the pool`);
    for (const ref of lane.flowNodeRef || []) {
      const nb = shapeOf.get(ref.id)?.bounds;
      if (nb && ref.$type !== 'bpmn:BoundaryEvent' && !inside(nb, lb)) fail(f, `${ref.id} is outside its lane ${lane.name}`);
    }
  }
  const inLanes = new Set(lanes.flatMap((l) => (l.flowNodeRef || []).map((r) => r.id)));
  for (const n of nodes) if (!inLanes.has(n.id)) fail(f, `${n.id} is in no lane`);

  // Timers.
  const boundaries = nodes.filter((n) => n.$type === 'bpmn:BoundaryEvent');
  for (const t of boundaries) {
    const def = (t.eventDefinitions || [])[0];
    if (def?.$type !== 'bpmn:TimerEventDefinition') { fail(f, `${t.id} is not a timer`); continue; }
    const time = def.timeDuration?.body ?? null;
    if (time !== null && !iso8601.test(time)) fail(f, `${t.id}: "${time}" is not an ISO 8601 duration`);
    if (time === null && !extension(t, 'policyTime') && !extension(t, 'beforeDue')) fail(f, `${t.id} has no time`);
    if (extension(t, 'workingTime') && time === null) fail(f, `${t.id}: working time but no timeDuration`);
    const out = t.outgoing || [];
    if (!t.cancelActivity && !(out.length === 1 && definition(out[0].targetRef, 'bpmn:MessageEventDefinition')))
      fail(f, `${t.id} (a warning or an escalation) does not lead to a message end event`);
    const want = timers[f]?.[t.id];
    const got = [t.cancelActivity !== false, time, amount(extension(t, 'workingTime')),
      extension(t, 'policyTime')?.key ?? null, amount(extension(t, 'beforeDue'))];
    if (want && JSON.stringify(got) !== JSON.stringify(want))
      fail(f, `${t.id} is ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
  }
  for (const id of Object.keys(timers[f] || {}))
    if (!boundaries.some((t) => t.id === id)) fail(f, `no timer ${id}`);

  // Forks: what each branch reaches before a join (its timers' paths too).
  const isJoin = (n) => n.$type === 'bpmn:ParallelGateway' && (n.incoming || []).length > 1;
  for (const fork of nodes.filter((n) => n.$type === 'bpmn:ParallelGateway' && (n.outgoing || []).length > 1)) {
    let join = null;
    const branches = fork.outgoing.map((flow) => {
      const seen = new Set(), stack = [flow.targetRef];
      while (stack.length) {
        const n = stack.pop();
        if (isJoin(n)) { join = n; continue; }
        if (seen.has(n)) continue;
        seen.add(n);
        stack.push(...(n.outgoing || []).map((o) => o.targetRef), ...boundaries.filter((b) => b.attachedToRef === n));
      }
      return seen;
    });
    if (!join) { fail(f, `the fork ${fork.id} has no join`); continue; }
    branches.forEach((branch, i) => {
      const into = join.incoming.filter((flow) => branch.has(flow.sourceRef)).length;
      if (into !== 1) fail(f, `the branch ${fork.outgoing[i].id} of ${fork.id} enters ${join.id} by ${into} flows`);
      for (const n of branch)
        if (n.$type === 'bpmn:EndEvent' && !definition(n, 'bpmn:MessageEventDefinition') && !definition(n, 'bpmn:TerminateEventDefinition'))
          fail(f, `${n.id}, reached on a branch of ${fork.id}, does not terminate the others`);
    });
    if (join.incoming.length !== branches.length) fail(f, `${join.id} has ${join.incoming.length} flows in, for ${branches.length} branches`);
  }

  // Mermaid.
  const mmd = draw(motcua, path, 'mermaid');
  try {
    await mermaid.parse(mmd);
  } catch (e) {
    fail(f, `Mermaid refused it: ${e.message}`);
  }
  console.log(`ok  ${f}: ${nodes.length} nodes, ${flows.length} flows, ${lanes.length} lanes`);
}

// The checker itself must be able to fail: a broken drawing is refused.
const { warnings: broken } = await moddle.fromXML(
  '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><bpmn:process id="p"><bpmn:sequenceFlow id="f" sourceRef="nowhere" /></bpmn:process></bpmn:definitions>');
if (broken.length === 0) fail('self-test', 'bpmn-moddle accepted a flow to nowhere');
try {
  await mermaid.parse('flowchart LR\n  a -->');
  fail('self-test', 'Mermaid accepted a dangling arrow');
} catch {}

if (failures.length) {
  for (const m of failures) console.error('FAIL ' + m);
  process.exit(1);
}
console.log('all drawings accepted');
