#!/usr/bin/env bash
# test_cli_graph.sh — `motcua graph` on every bundled procedure: DOT that
# Graphviz accepts, SVG, a compiled .mcb as input, clear errors; and the
# pictures in docs/ are those the workflows draw today.  (The BPMN and
# Mermaid outputs are checked by their own parsers in tests/bpmn.)
# Usage: test_cli_graph.sh path/to/motcua
. "$(dirname "$0")/lib.sh"

if ! command -v dot >/dev/null; then
  echo "Graphviz's dot is not installed (tools/deps.sh installs it)"
  exit 1
fi

for f in "$MOTCUA_WORKFLOWS"/procedures/*.mc; do
  name=$(basename "$f" .mc)
  "$motcua" graph "$f" --format dot >"$tmp/$name.dot" 2>"$tmp/err" || fail "$name: dot output: $(cat "$tmp/err")"
  dot -Tsvg "$tmp/$name.dot" -o "$tmp/$name.svg" 2>"$tmp/err" || fail "$name: Graphviz refused the DOT: $(cat "$tmp/err")"
  [ -s "$tmp/$name.svg" ] || fail "$name: empty SVG"
  # Every step appears, with its title.
  grep -o 'step [a-z_0-9]* "[^"]*"' "$f" | sed 's/^step [a-z_0-9]* "\(.*\)"$/\1/' | while read -r title; do
    sed 's/\\n/ /g' "$tmp/$name.dot" | grep -qF "$title" || echo "FAIL: $name: the step \"$title\" is not drawn"
  done >>"$tmp/missing"
  "$motcua" graph "$f" --format svg -o "$tmp/$name.2.svg" || fail "$name: --format svg"
  grep -q '<svg' "$tmp/$name.2.svg" || fail "$name: --format svg wrote no SVG"
done
[ ! -s "$tmp/missing" ] || { cat "$tmp/missing"; failures=$((failures + 1)); }

# A compiled definition draws the same as its source.
"$motcua" compile "$MOTCUA_WORKFLOWS/procedures/judicial-record-certificate.mc" -o "$tmp/out" >/dev/null ||
  fail "compile for graph"
"$motcua" graph "$tmp/out/procedure-2.000488.mcb" --format mermaid >"$tmp/a.mmd" || fail "graph of a .mcb"
"$motcua" graph "$MOTCUA_WORKFLOWS/procedures/judicial-record-certificate.mc" --format mermaid >"$tmp/b.mmd"
cmp -s "$tmp/a.mmd" "$tmp/b.mmd" || fail "a .mcb and its source draw differently"
# The parallel branches and their join, the timer, the final states.
grep -q 'Gateway_checks -->|"police"| Task_police_check' "$tmp/b.mmd" || fail "fork branch missing"
grep -q 'Task_court_check -->|"Trả lời"| Gateway_answers' "$tmp/b.mmd" || fail "join missing"
grep -q 'Task_supplement -.->|"Hết hạn' "$tmp/b.mmd" || fail "timeout timer missing"
grep -q 'End_stopped(("Dừng xử lý"))' "$tmp/b.mmd" || fail "end event missing"
# A step's actions: those that lead to one place are one arrow; a step
# whose actions lead to several places is followed by a × gateway.
grep -q 'Task_drafting -->|"Phê duyệt / Không phê duyệt"| Task_signing' "$tmp/b.mmd" || fail "actions to one place not one arrow"
grep -q 'Task_result --> Split_result' "$tmp/b.mmd" && grep -q 'Split_result -->|"Chuyển bưu chính"| Task_in_post' "$tmp/b.mmd" ||
  fail "no gateway after a step whose actions lead to several places"
grep -q 'Split_result{"×"}' "$tmp/b.mmd" || fail "the action gateway is not drawn with its marker"
# A warning leads to the notice it sends.
"$motcua" graph "$MOTCUA_WORKFLOWS/procedures/house-construction-permit.mc" --format mermaid >"$tmp/c.mmd"
grep -q 'Task_appraisal -.->|"Cảnh báo trước 2 ngày"| Notice_appraisal_1' "$tmp/c.mmd" &&
  grep -q 'Notice_appraisal_1(("✉ Cảnh báo sắp đến hạn"))' "$tmp/c.mmd" || fail "the warning leads to no notice"
"$motcua" graph "$MOTCUA_WORKFLOWS/procedures/house-construction-permit.mc" --format dot >"$tmp/c.dot"
grep -qF '"Notice_appraisal_1" [shape=circle, width=0.3, style=dashed, label="✉", xlabel="Cảnh báo sắp đến\nhạn"];' "$tmp/c.dot" &&
  grep -qF '"Task_appraisal" -> "Notice_appraisal_1" [label="Cảnh báo trước 2\nngày", style=dashed];' "$tmp/c.dot" ||
  fail "DOT: the warning leads to no notice"
# Labels people read: no internal names (policy keys, role codes), no English units, no glyph
# Graphviz's fonts may lack (⏱ was drawn as a box).
for f in "$MOTCUA_WORKFLOWS"/procedures/*.mc; do
  "$motcua" graph "$f" --format dot >"$tmp/r.dot"
  labels=$(grep -o 'label="[^"]*"' "$tmp/r.dot")
  echo "$labels" | grep -qE 'policy\.|working day|working hour|[0-9] days?"|⏱|\\n(reception|specialist|leader|applicant|postal) ·' &&
    fail "$(basename "$f"): a label people cannot read: $(echo "$labels" | grep -E 'policy\.|working|days?"|⏱|\\n(reception|specialist|leader|applicant|postal) ·' | head -3)"
done
grep -qF 'label="Thẩm định hồ sơ\nChuyên viên xử lý · 2\nngày làm việc"' \
  <("$motcua" graph "$MOTCUA_WORKFLOWS/procedures/household-business-registration.mc" --format dot) ||
  fail "a step's label: its title, its role's name and its limit in Vietnamese"

# A step done at another agency is in a lane named by the agency's name from the directory.
grep -qF 'label="Chuyên viên xử lý\n(Công an tỉnh Bắc\nNinh)"' \
  <("$motcua" graph "$MOTCUA_WORKFLOWS/procedures/judicial-record-certificate.mc" --format dot) ||
  fail "the police's lane is not named by the directory's name"

# No internal name of a choice, fork or join is shown (a join without a title is its marker alone).
"$motcua" graph "$MOTCUA_WORKFLOWS/procedures/judicial-record-certificate.mc" --format dot | grep -q 'xlabel="answers"' &&
  fail "a join's internal name is drawn"

# Payment steps and pauses are drawn as such, and the legend says what the marks mean.
"$motcua" graph "$MOTCUA_SOURCE/tests/bpmn/procedures/payment-and-pause.mc" --format dot >"$tmp/p.dot" ||
  fail "payment-and-pause: dot output"
grep -qF '"Task_obligation" [shape=box, style="rounded,filled", fillcolor="#fff1cc", label="₫ Chờ nộp nghĩa vụ' "$tmp/p.dot" ||
  fail "a payment step is not drawn shaded with ₫: $(grep Task_obligation "$tmp/p.dot" | head -1)"
grep -qF '"Task_expert" [shape=box, style="rounded,dashed,filled", fillcolor="#eef0f3", label="‖ Chờ ý kiến' "$tmp/p.dot" ||
  fail "a step where the clock pauses is not drawn dashed with ‖: $(grep Task_expert "$tmp/p.dot" | head -1)"
grep -qF '‖ nền xám: thời hạn tạm dừng · ₫ nền vàng: chờ nộp phí, lệ phí' "$tmp/p.dot" || fail "no legend for ‖ and ₫"
grep -qF '‖' "$tmp/r.dot" && fail "a legend or mark for a pause on a procedure without one"
"$motcua" graph "$MOTCUA_SOURCE/tests/bpmn/procedures/payment-and-pause.mc" --format mermaid | grep -qF 'Task_obligation["₫ ' ||
  fail "Mermaid: a payment step without ₫"

# The roles are lanes side by side (their boxes never overlap, all from the top), and every bundled
# picture fits an A4 page (19 × 27.7 cm printable, upright or sideways) at half its size or more:
# Graphviz's 11 pt text prints at 5.5 pt or larger.
for f in "$MOTCUA_WORKFLOWS"/procedures/*.mc "$MOTCUA_SOURCE"/tests/bpmn/procedures/*.mc; do
  name=$(basename "$f" .mc)
  "$motcua" graph "$f" --format svg -o "$tmp/$name.lanes.svg" || fail "$name: --format svg"
  /usr/bin/python3 - "$tmp/$name.lanes.svg" "$name" <<'PY' || failures=$((failures + 1))
import re, sys
svg = open(sys.argv[1], encoding="utf-8").read()
name = sys.argv[2]
w, h = (float(x) for x in re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg).groups())
boxes = []
for m in re.finditer(r'<g id="clust\d+" class="cluster">.*?<path[^>]* d="([^"]+)"', svg, re.S):
    nums = [float(x) for x in re.findall(r'-?[0-9.]+', m.group(1))]
    xs, ys = nums[0::2], nums[1::2]
    boxes.append((min(xs), max(xs), min(ys)))
boxes.sort()
ok = True
for a, b in zip(boxes, boxes[1:]):
    if b[0] < a[1] - 0.5:
        print("FAIL: %s: two role lanes overlap: %s %s" % (name, a, b)); ok = False
if boxes and max(b[2] for b in boxes) - min(b[2] for b in boxes) > 60:  # a name on up to four lines
    print("FAIL: %s: the role lanes do not all start at the top: %s" % (name, boxes)); ok = False
scale = max(min(539 / w, 785 / h), min(785 / w, 539 / h))
print("%s: %d lanes, %.0f x %.0f pt, %.0f%% on A4" % (name, len(boxes), w, h, 100 * min(scale, 1)))
if scale < 0.5:
    print("FAIL: %s: %.0f x %.0f pt is printed on A4 at %.0f%%, smaller than half" % (name, w, h, 100 * scale)); ok = False
sys.exit(0 if ok else 1)
PY
done

# Errors.
"$motcua" graph "$MOTCUA_WORKFLOWS/procedures/feedback.mc" --format png >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -qF 'unknown format "png"' "$tmp/err" || fail "unknown format: $rc $(cat "$tmp/err")"
printf 'garbage' >"$tmp/x.mcb"
"$motcua" graph "$tmp/x.mcb" --format dot >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -qF 'is not a compiled procedure' "$tmp/err" || fail "garbage .mcb: $rc $(cat "$tmp/err")"
"$motcua" graph "$MOTCUA_WORKFLOWS/policies/nd118-2025.mc" --format dot >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -qF 'holds no procedure' "$tmp/err" || fail "policy file: $rc $(cat "$tmp/err")"

# The docs show what the workflows draw today.
"$MOTCUA_SOURCE/tools/draw-docs.sh" --check "$motcua" || fail "docs/pictures is out of date"

finish "all motcua graph checks passed"
