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
    grep -qF "$title" "$tmp/$name.dot" || echo "FAIL: $name: the step \"$title\" is not drawn"
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
grep -qF '"Notice_appraisal_1" [shape=circle, width=0.3, style=dashed, label="✉", xlabel="Cảnh báo sắp đến hạn"];' "$tmp/c.dot" &&
  grep -qF '"Task_appraisal" -> "Notice_appraisal_1" [label="Cảnh báo trước 2 ngày", style=dashed];' "$tmp/c.dot" ||
  fail "DOT: the warning leads to no notice"
# Labels people read: no internal names (policy keys, role codes), no English units, no glyph
# Graphviz's fonts may lack (⏱ was drawn as a box).
for f in "$MOTCUA_WORKFLOWS"/procedures/*.mc; do
  "$motcua" graph "$f" --format dot >"$tmp/r.dot"
  labels=$(grep -o 'label="[^"]*"' "$tmp/r.dot")
  echo "$labels" | grep -qE 'policy\.|working day|working hour|[0-9] days?"|⏱|\\n(reception|specialist|leader|applicant|postal) ·' &&
    fail "$(basename "$f"): a label people cannot read: $(echo "$labels" | grep -E 'policy\.|working|days?"|⏱|\\n(reception|specialist|leader|applicant|postal) ·' | head -3)"
done
grep -qF 'label="Thẩm định hồ sơ\nChuyên viên xử lý · 2 ngày làm việc"' \
  <("$motcua" graph "$MOTCUA_WORKFLOWS/procedures/household-business-registration.mc" --format dot) ||
  fail "a step's label: its title, its role's name and its limit in Vietnamese"

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
