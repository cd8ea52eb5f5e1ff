/* parser.y — the grammar of the procedure language (docs/DSL.md).
 *
 * A reentrant, pure bison parser with byte-range locations.  It builds the
 * AST of ast.h in the compile's arena (so error recovery leaks nothing: every
 * semantic value is arena memory, freed with the compile) and reports syntax
 * errors in words (syntax.c), then resynchronises: the rest of the broken
 * line is skipped (lexer.l), and parsing resumes at the next line of the
 * block, or at its }.  One mistake is one message; what was read around it
 * is still checked (check.c), and the step, procedure or template that held
 * the mistake is marked incomplete so that what it lacks is not reported.
 */
%define api.pure full
%define api.prefix {dsl_yy}
%define api.location.type {dsl_loc}
%define parse.error custom
%define parse.lac full
%locations
%param {void *scanner}
%parse-param {dsl_ctx *ctx}
%expect 0

%code requires {
#include "dsl/dsl-int.h"
}

%code provides {
int dsl_yylex(DSL_YYSTYPE *lval, dsl_loc *lloc, void *scanner);
void dsl_yyerror(dsl_loc *loc, void *scanner, dsl_ctx *ctx, const char *msg);
/* Also where error recovery shifts the error token (Rhs is then bison's
 * yyerror_range): the lexer is told what recovery dropped (error_shifted). */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                   \
  do {                                                                \
    if (N) {                                                          \
      (Cur).off = YYRHSLOC(Rhs, 1).off;                               \
      (Cur).end = YYRHSLOC(Rhs, N).end;                               \
    } else {                                                          \
      (Cur).off = (Cur).end = YYRHSLOC(Rhs, 0).end;                   \
    }                                                                 \
    if (&YYRHSLOC(Rhs, 0) == &yyerror_range[0])                     \
      error_shifted(ctx, yyls, yylsp, yychar == DSL_YYEMPTY, yylloc); \
  } while (0)
}

%code {
#include "base/error.h"

#include <string.h>

const char *dsl__field_type_word(int type);

#define SPAN(loc) dsl__span(ctx, (loc))
#define NEW(type) ((type *)new_zeroed(ctx, sizeof(type)))

static void *new_zeroed(dsl_ctx *ctx, size_t size) {
  void *p = mc_arena_calloc(ctx->arena, 1, size);
  if (p == NULL)
    ctx->oom = true;
  return p;
}

/* Sets a one-off text property; a second one is an error pointing at it. */
static void set_once(dsl_ctx *ctx, const char **slot, const char *value, dsl_loc at,
                     const char *what) {
  if (*slot) {
    dsl__error(ctx, at, "give it once; remove one of the two lines", "%s is given twice", what);
    return;
  }
  *slot = value;
}

static dsl_expr *expr(dsl_ctx *ctx, dsl_expr_kind kind, dsl_expr *l, dsl_expr *r, dsl_loc at) {
  int size = 1 + (l ? l->size : 0) + (r ? r->size : 0);
  if (size > DSL_MAX_EXPR_NODES) {
    /* Report once per expression: the left part is already at the limit. */
    if (l && l->size <= DSL_MAX_EXPR_NODES)
      dsl__error(ctx, at, "split it: a choice can have several branches, a fee several lines of text",
                 "this condition or fee has more than %d parts", DSL_MAX_EXPR_NODES);
    if (l)
      l->size = DSL_MAX_EXPR_NODES + 1;
    return l;
  }
  dsl_expr *e = NEW(dsl_expr);
  if (e) {
    e->kind = kind;
    e->left = l;
    e->right = r;
    e->size = size;
    e->at = SPAN(at);
  }
  return e;
}

/* Two texts written one after the other, as one (in the arena). */
static const char *concat(dsl_ctx *ctx, const char *a, const char *b) {
  if (a == NULL || b == NULL)
    return a ? a : b;
  size_t la = strlen(a), lb = strlen(b);
  char *s = mc_arena_alloc(ctx->arena, la + lb + 1);
  if (s == NULL) {
    ctx->oom = true;
    return a;
  }
  memcpy(s, a, la);
  memcpy(s + la, b, lb + 1);
  return s;
}

static dsl_strlist *str_item(dsl_ctx *ctx, const char *text, dsl_loc at) {
  dsl_strlist *s = NEW(dsl_strlist);
  if (s) {
    s->text = text;
    s->at = SPAN(at);
  }
  return s;
}

static dsl_node *begin_node(dsl_ctx *ctx, dsl_node_kind kind, const char *name, const char *title,
                            dsl_loc at) {
  dsl_node *n = NEW(dsl_node);
  if (n && ctx->proc) {
    n->kind = kind;
    n->name = name;
    n->title = title;
    n->at = SPAN(at);
    dsl__append(&ctx->proc->nodes, n);
  }
  ctx->node = n;
  return n;
}

static dsl_transition *transition(dsl_ctx *ctx, const char *action, dsl_expr *when,
                                  const char *target, dsl_notify *notify, dsl_loc at,
                                  dsl_loc target_at) {
  dsl_transition *t = NEW(dsl_transition);
  if (t) {
    t->action = action;
    t->when = when;
    t->target = target;
    t->notify = notify;
    t->at = SPAN(at);
    t->target_at = SPAN(target_at);
    if (ctx->node)
      dsl__append(&ctx->node->out, t);
  }
  return t;
}

/* Error recovery has just shifted the error token.  If it discarded the
 * token read last, the rest of that token's line goes too; if it discarded
 * or popped a {, its block goes, up to the matching } (lexer.l skips them):
 * the parse resumes at the next line of the block the mistake is in, or at
 * the } that closes it.  The {s the parser still holds are those on its
 * location stack (a { is the only one-byte symbol spelt so). */
static void error_shifted(dsl_ctx *ctx, const dsl_loc *bottom, const dsl_loc *top, bool discarded, dsl_loc last) {
  int held = 0;
  for (const dsl_loc *l = bottom; l < top; l++)
    held += l->end == l->off + 1 && l->off < ctx->src->len && ctx->src->text[l->off] == '{';
  if (!discarded && last.end == last.off + 1 && last.off < ctx->src->len && ctx->src->text[last.off] == '{')
    held++; /* the lookahead, still to be read */
  dsl__recover(ctx, held, discarded ? &last : NULL);
}

static dsl_setting *setting(dsl_ctx *ctx, const char *key, dsl_loc at) {
  dsl_setting *s = NEW(dsl_setting);
  if (s) {
    s->key = key;
    s->at = SPAN(at);
  }
  return s;
}
}

%union {
  int64_t number;
  const char *text;
  dsl_expr *expr;
  dsl_duration duration;
  dsl_limit limit;
  dsl_strlist *strs;
  dsl_notify *notify;
  dsl_setting *setting;
}

/* Every semantic value is arena memory owned by the compile: nothing to free
 * when error recovery discards it. */
%destructor { (void)$$; } <*>

%token PROCEDURE "procedure" POLICY "policy" AGENCY "agency" OFFER "offer" AT "at"
%token EVERY "every" SECTOR "sector" FIELD "field" LEVEL "level" ONLINE "online"
%token SERVICE_LEVEL "service_level" TIME "time" FEE "fee" VND "VND"
%token REFUNDABLE "refundable" PAYER "payer" LEGAL "legal" DOCUMENT "document"
%token RESULT "result" CHANNELS "channels" ROLE "role" FORM "form" STEP "step" BY "by"
%token WITHIN "within" STATE "state" CLOCK "clock" ON "on" NOTIFY "notify" WARN "warn"
%token BEFORE "before" ESCALATE "escalate" TO "to" CHOICE "choice" FIRST "first"
%token WHEN "when" OTHERWISE "otherwise" FORK "fork" JOIN "join" LEAD "lead"
%token BRANCH "branch" DEPARTMENT "department" AND "and" OR "or" NOT "not"
%token REQUIRED "required" LABEL "label" HELP "help" LENGTH "length" RANGE "range"
%token PATTERN "pattern" ORIGINAL "original" COPY "copy" EFORM "eform" BLANK "blank"
%token WORKING "working" CALENDAR "calendar" DAY "day" HOUR "hour" ENUM "enum"
%token WORKING_VI "làm việc"
%token TEMPLATE "template" SUBJECT "subject" BODY "body" SMS "sms"
%token MERGED "merged" INTO "into"
%token ARROW "->" DOTDOT ".." BAD "invalid character"
%token RESYNC "end of a skipped line"
%token <number> BOOLEAN "yes or no" TYPE "field type" CMP "comparison" CLOCKTIME "time of day"
%token <number> INTEGER "number"
%token <text> NAME "name" STRING "text"

%type <text> opt_title clock_mode key channel_name name word texts recipient
%type <expr> fee_expr fee_term cond cond_and cond_not cond_atom ref literal
%type <duration> duration
%type <limit> limit
%type <strs> strings
%type <notify> notifies
%type <setting> setting
%type <number> unit

%%

/* A whole item read after a mistake: the parse is in step again, and the
 * next mistake is reported (bison waits for three tokens otherwise). */
file
  : %empty
  | file decl               { yyerrok; }
  | file error resync       { ctx->proc = NULL; ctx->node = NULL; ctx->policy = NULL; ctx->agency = NULL; ctx->tmpl = NULL; }
  ;

decl
  : procedure
  | policy
  | agency
  | offer
  | merged
  | template
  ;

/* ------------------------------------------------------------ procedure */

procedure
  : PROCEDURE STRING STRING '{'
      {
        dsl_procedure *p = NEW(dsl_procedure);
        if (p) {
          p->code = $2;
          p->name = $3;
          p->at = SPAN(@1);
          p->code_at = SPAN(@2);
          dsl__append(&ctx->prog->procedures, p);
        }
        ctx->proc = p;
      }
    proc_items '}'          { ctx->proc = NULL; ctx->node = NULL; }
  ;

proc_items
  : %empty
  | proc_items proc_item    { yyerrok; }
  | proc_items error resync  { ctx->node = NULL; } /* a broken header left it open */
  ;

proc_item
  : SECTOR STRING           { if (ctx->proc) set_once(ctx, &ctx->proc->sector, $2, @$, "the sector"); }
  | FIELD STRING            { if (ctx->proc) set_once(ctx, &ctx->proc->field, $2, @$, "the field"); }
  | LEVEL name              { if (ctx->proc) { set_once(ctx, &ctx->proc->level, $2, @$, "the administrative level"); ctx->proc->level_at = SPAN(@2); } }
  | ONLINE name             { if (ctx->proc) { set_once(ctx, &ctx->proc->online, $2, @$, "the online service"); ctx->proc->online_at = SPAN(@2); } }
  | SERVICE_LEVEL INTEGER   { if (ctx->proc) ctx->proc->service_level = $2; }
  | TIME duration           {
                              if (ctx->proc) {
                                if (ctx->proc->has_time)
                                  dsl__error(ctx, @$, "give it once", "the processing time is given twice");
                                ctx->proc->time = $2;
                                ctx->proc->has_time = true;
                              }
                            }
  | POLICY STRING           { if (ctx->proc) { set_once(ctx, &ctx->proc->policy, $2, @$, "the policy"); ctx->proc->policy_at = SPAN(@2); } }
  | FEE fee_expr            { if (ctx->proc) { if (ctx->proc->fee) dsl__error(ctx, @$, "give it once", "the fee is given twice"); ctx->proc->fee = $2; } }
  | FEE fee_expr REFUNDABLE { if (ctx->proc) { if (ctx->proc->fee) dsl__error(ctx, @$, "give it once", "the fee is given twice"); ctx->proc->fee = $2; ctx->proc->refundable = true; } }
  | PAYER name              { if (ctx->proc) set_once(ctx, &ctx->proc->payer, $2, @$, "the payer"); }
  | LEGAL STRING            { if (ctx->proc) dsl__append(&ctx->proc->legal, str_item(ctx, $2, @2)); }
  | DOCUMENT name STRING
      {
        dsl_document *d = NEW(dsl_document);
        if (d && ctx->proc) {
          d->name = $2;
          d->title = $3;
          d->count = 1;
          d->at = SPAN(@2);
          dsl__append(&ctx->proc->documents, d);
        }
        ctx->node = NULL;
      }
    doc_opts
  | RESULT name STRING
      {
        dsl_document *d = NEW(dsl_document);
        if (d && ctx->proc) {
          d->name = $2;
          d->title = $3;
          d->result = true;
          d->count = 1;
          d->at = SPAN(@2);
          dsl__append(&ctx->proc->documents, d);
        }
      }
  | CHANNELS channels
  | ROLE name STRING        { if (ctx->proc) { dsl__append(&ctx->proc->role_names, str_item(ctx, $2, @2)); dsl__append(&ctx->proc->role_titles, str_item(ctx, $3, @3)); } }
  | FORM '{' fields '}'
  | step
  | choice
  | fork
  | JOIN name                { begin_node(ctx, DSL_NODE_JOIN, $2, NULL, @2); } /* exists if the rest is broken */
    ARROW name notifies
      {
        transition(ctx, NULL, NULL, $5, $6, @4, @5);
        ctx->node = NULL;
      }
  ;

/* After a mistake, the lexer skips the rest of the line and says so with
 * RESYNC: the next line is read afresh, and a mistake on it reported. */
resync
  : %empty
  | RESYNC                  { yyerrok; }
  ;

/* A name where one belongs: the language's own words are allowed too, so an
 * agency can call a step "result" or a field "phone". */
name
  : NAME                    { $$ = $1; }
  | RESULT                  { $$ = "result"; }
  | DOCUMENT                { $$ = "document"; }
  | TIME                    { $$ = "time"; }
  | FEE                     { $$ = "fee"; }
  | FIELD                   { $$ = "field"; }
  | LEVEL                   { $$ = "level"; }
  | STATE                   { $$ = "state"; }
  | CLOCK                   { $$ = "clock"; }
  | FORM                    { $$ = "form"; }
  | ROLE                    { $$ = "role"; }
  | SECTOR                  { $$ = "sector"; }
  | PAYER                   { $$ = "payer"; }
  | LEGAL                   { $$ = "legal"; }
  | CHANNELS                { $$ = "channels"; }
  | TEMPLATE                { $$ = "template"; }
  | SUBJECT                 { $$ = "subject"; }
  | BODY                    { $$ = "body"; }
  | SMS                     { $$ = "sms"; }
  | MERGED                  { $$ = "merged"; }
  | INTO                    { $$ = "into"; }
  | TYPE                    { $$ = dsl__field_type_word((int)$1); }
  ;

/* A word value of a setting. */
word
  : name                    { $$ = $1; }
  | REQUIRED                { $$ = "required"; }
  | ONLINE                  { $$ = "online"; }
  ;

channels
  : channel_name            { if (ctx->proc) dsl__append(&ctx->proc->channels, str_item(ctx, $1, @1)); }
  | channels ',' channel_name { if (ctx->proc) dsl__append(&ctx->proc->channels, str_item(ctx, $3, @3)); }
  ;

channel_name
  : name                    { $$ = $1; }
  | ONLINE                  { $$ = "online"; }
  ;

duration
  : INTEGER unit            { $$ = (dsl_duration){$1, (dsl_unit)$2, SPAN(@$)}; }
  ;

/* English, or Vietnamese: ngày làm việc, giờ làm việc, ngày (ngày lịch), giờ. */
unit
  : WORKING DAY             { $$ = DSL_UNIT_WORKING_DAYS; }
  | WORKING HOUR            { $$ = DSL_UNIT_WORKING_HOURS; }
  | DAY                     { $$ = DSL_UNIT_CALENDAR_DAYS; }
  | CALENDAR DAY            { $$ = DSL_UNIT_CALENDAR_DAYS; }
  | HOUR                    { $$ = DSL_UNIT_HOURS; }
  | DAY WORKING_VI          { $$ = DSL_UNIT_WORKING_DAYS; }
  | HOUR WORKING_VI         { $$ = DSL_UNIT_WORKING_HOURS; }
  ;

limit
  : duration                { $$ = (dsl_limit){true, NULL, $1, SPAN(@$)}; }
  | POLICY '.' name         { $$ = (dsl_limit){true, $3, {0, DSL_UNIT_WORKING_DAYS, SPAN(@$)}, SPAN(@$)}; }
  ;

fee_expr
  : fee_term                { $$ = $1; }
  | fee_expr '+' fee_term   { $$ = expr(ctx, DSL_EX_ADD, $1, $3, @$); }
  ;

fee_term
  : INTEGER VND             { $$ = expr(ctx, DSL_EX_MONEY, NULL, NULL, @$); if ($$) $$->value = $1; }
  | INTEGER VND '*' ref
      {
        dsl_expr *m = expr(ctx, DSL_EX_MONEY, NULL, NULL, @1);
        if (m) m->value = $1;
        $$ = expr(ctx, DSL_EX_MUL, m, $4, @$);
      }
  ;

doc_opts
  : %empty
  | doc_opts doc_opt
  ;

doc_opt
  : ORIGINAL                { dsl_document *d = ctx->proc ? ctx->proc->documents : NULL; while (d && d->next) d = d->next; if (d) d->original = true; }
  | COPY                    { dsl_document *d = ctx->proc ? ctx->proc->documents : NULL; while (d && d->next) d = d->next; if (d) d->copy = true; }
  | INTEGER                 { dsl_document *d = ctx->proc ? ctx->proc->documents : NULL; while (d && d->next) d = d->next; if (d) d->count = $1; }
  | EFORM                   { dsl_document *d = ctx->proc ? ctx->proc->documents : NULL; while (d && d->next) d = d->next; if (d) d->eform = true; }
  | BLANK STRING            { dsl_document *d = ctx->proc ? ctx->proc->documents : NULL; while (d && d->next) d = d->next; if (d) d->blank_form = $2; }
  ;

/* ------------------------------------------------------------ form */

fields
  : %empty
  | fields form_field       { yyerrok; }
  | fields error resync
  ;

form_field
  : name field_type
      {
        dsl_field *f = ctx->proc ? ctx->proc->fields : NULL;
        while (f && f->next) f = f->next;
        if (f) { f->name = $1; f->at = SPAN(@1); }
      }
    field_opts
  ;

field_type
  : TYPE                    { dsl_field *f = NEW(dsl_field); if (f && ctx->proc) { f->type = (dsl_field_type)$1; dsl__append(&ctx->proc->fields, f); } }
  | ENUM '(' strings ')'    { dsl_field *f = NEW(dsl_field); if (f && ctx->proc) { f->type = DSL_FIELD_ENUM; f->values = $3; dsl__append(&ctx->proc->fields, f); } }
  ;

strings
  : STRING                  { $$ = str_item(ctx, $1, @1); }
  | strings ',' STRING      { $$ = $1; dsl__append(&$$, str_item(ctx, $3, @3)); }
  ;

field_opts
  : %empty
  | field_opts field_opt
  ;

field_opt
  : REQUIRED                { dsl_field *f = ctx->proc ? ctx->proc->fields : NULL; while (f && f->next) f = f->next; if (f) f->required = true; }
  | LABEL STRING            { dsl_field *f = ctx->proc ? ctx->proc->fields : NULL; while (f && f->next) f = f->next; if (f) set_once(ctx, &f->label, $2, @$, "the label"); }
  | HELP STRING             { dsl_field *f = ctx->proc ? ctx->proc->fields : NULL; while (f && f->next) f = f->next; if (f) set_once(ctx, &f->help, $2, @$, "the help text"); }
  | PATTERN STRING          { dsl_field *f = ctx->proc ? ctx->proc->fields : NULL; while (f && f->next) f = f->next; if (f) set_once(ctx, &f->pattern, $2, @$, "the pattern"); }
  | LENGTH INTEGER DOTDOT INTEGER
      {
        dsl_field *f = ctx->proc ? ctx->proc->fields : NULL;
        while (f && f->next) f = f->next;
        if (f) { f->has_length = true; f->min = $2; f->max = $4; }
        if ($4 < $2) dsl__error(ctx, @$, "write the smaller bound first, such as length 1..100", "the length %lld..%lld is empty", (long long)$2, (long long)$4);
      }
  | RANGE INTEGER DOTDOT INTEGER
      {
        dsl_field *f = ctx->proc ? ctx->proc->fields : NULL;
        while (f && f->next) f = f->next;
        if (f) { f->has_range = true; f->min = $2; f->max = $4; }
        if ($4 < $2) dsl__error(ctx, @$, "write the smaller bound first, such as range 0..10", "the range %lld..%lld is empty", (long long)$2, (long long)$4);
      }
  ;

/* ------------------------------------------------------------ steps */

/* The step exists from its name on: a mistake in the rest of its header
 * leaves it incomplete, not missing (arrows to it are not misspelt). */
step
  : STEP name               { begin_node(ctx, DSL_NODE_STEP, $2, NULL, @2); }
    STRING                  { if (ctx->node) ctx->node->title = $4; }
    step_opts '{' step_items '}'
                            { ctx->node = NULL; }
  ;

step_opts
  : %empty
  | step_opts step_opt
  ;

step_opt
  : BY name                 { if (ctx->node) { set_once(ctx, &ctx->node->role, $2, @$, "the role of the step"); ctx->node->role_at = SPAN(@2); } }
  | AT STRING               { if (ctx->node) { set_once(ctx, &ctx->node->agency, $2, @$, "the agency of the step"); ctx->node->agency_at = SPAN(@2); } }
  | WITHIN limit            {
                              if (ctx->node) {
                                if (ctx->node->limit.set)
                                  dsl__error(ctx, @$, "give it once", "the time limit of the step is given twice");
                                ctx->node->limit = $2;
                              }
                            }
  | STATE name              { if (ctx->node) { set_once(ctx, &ctx->node->state, $2, @$, "the state of the step"); ctx->node->state_at = SPAN(@2); } }
  | CLOCK clock_mode
      {
        if (ctx->node) {
          static const char *const modes[] = {"runs", "pauses", "restarts", "policy"};
          int m = -1;
          for (int i = 0; i < 4; i++)
            if (strcmp($2, modes[i]) == 0) m = i;
          if (m < 0)
            dsl__error(ctx, @2, "write clock runs, clock pauses, clock restarts, or clock policy (as the policy's supplement_clock says)",
                       "unknown clock mode \"%s\"", $2);
          else if (ctx->node->clock_set)
            dsl__error(ctx, @$, "give it once", "the clock of the step is given twice");
          else {
            ctx->node->clock = (dsl_clock)m;
            ctx->node->clock_set = true;
          }
        }
      }
  ;

clock_mode
  : NAME                    { $$ = $1; }
  | POLICY                  { $$ = "policy"; }
  ;

step_items
  : %empty
  | step_items step_item    { yyerrok; }
  | step_items error resync
  ;

step_item
  : ON name ARROW name notifies { transition(ctx, $2, NULL, $4, $5, @2, @4); }
  | WARN duration BEFORE    {
                              if (ctx->node) {
                                if (ctx->node->has_warn)
                                  dsl__error(ctx, @$, "give it once", "the warning of the step is given twice");
                                ctx->node->warn = $2;
                                ctx->node->has_warn = true;
                              }
                            }
  | ESCALATE TO name        { if (ctx->node) { set_once(ctx, &ctx->node->escalate_to, $3, @$, "the escalation"); ctx->node->escalate_at = SPAN(@3); } }
  ;

notifies
  : %empty                  { $$ = NULL; }
  | notifies NOTIFY recipient STRING
      {
        dsl_notify *n = NEW(dsl_notify);
        if (n) {
          n->who = $3;
          n->template_name = $4;
          n->at = SPAN(@2);
        }
        $$ = $1;
        dsl__append(&$$, n);
      }
  ;

/* Who is told: a name (applicant, official), or `agency`, a word of the
 * language (the agency directory's `agency "CODE" {...}`). */
recipient
  : name                    { $$ = $1; }
  | AGENCY                  { $$ = "agency"; }
  ;

/* ------------------------------------------------------------ choices */

choice
  : CHOICE name             { begin_node(ctx, DSL_NODE_CHOICE, $2, NULL, @2); }
    choice_order '{' whens '}'
                            { ctx->node = NULL; }
  ;

choice_order
  : %empty
  | FIRST                   { if (ctx->node) ctx->node->ordered = true; }
  ;

whens
  : %empty
  | whens when_item         { yyerrok; }
  | whens error resync
  ;

when_item
  : WHEN cond ARROW name notifies      { transition(ctx, NULL, $2, $4, $5, @2, @4); }
  | OTHERWISE ARROW name notifies      { dsl_transition *t = transition(ctx, NULL, NULL, $3, $4, @1, @3); if (t) t->otherwise = true; }
  ;

cond
  : cond_and                { $$ = $1; }
  | cond OR cond_and        { $$ = expr(ctx, DSL_EX_OR, $1, $3, @$); }
  ;

cond_and
  : cond_not                { $$ = $1; }
  | cond_and AND cond_not   { $$ = expr(ctx, DSL_EX_AND, $1, $3, @$); }
  ;

cond_not
  : cond_atom               { $$ = $1; }
  | NOT cond_not            { $$ = expr(ctx, DSL_EX_NOT, $2, NULL, @$); }
  ;

cond_atom
  : '(' cond ')'            { $$ = $2; }
  | ref                     { $$ = $1; }
  | ref CMP literal         { $$ = expr(ctx, DSL_EX_CMP, $1, $3, @$); if ($$) $$->op = (dsl_cmp_op)$2; }
  ;

ref
  : NAME                    { $$ = expr(ctx, DSL_EX_REF, NULL, NULL, @$); if ($$) $$->name = $1; }
  | FORM '.' name           { $$ = expr(ctx, DSL_EX_REF, NULL, NULL, @$); if ($$) { $$->scope = "form"; $$->name = $3; } }
  ;

literal
  : INTEGER                 { $$ = expr(ctx, DSL_EX_INT, NULL, NULL, @$); if ($$) $$->value = $1; }
  | STRING                  { $$ = expr(ctx, DSL_EX_STR, NULL, NULL, @$); if ($$) $$->name = $1; }
  | BOOLEAN                 { $$ = expr(ctx, DSL_EX_BOOL, NULL, NULL, @$); if ($$) $$->value = $1; }
  | NAME                    { $$ = expr(ctx, DSL_EX_NAME, NULL, NULL, @$); if ($$) $$->name = $1; }
  | ONLINE                  { $$ = expr(ctx, DSL_EX_NAME, NULL, NULL, @$); if ($$) $$->name = "online"; }
  ;

/* ------------------------------------------------------------ forks */

fork
  : FORK name               { begin_node(ctx, DSL_NODE_FORK, $2, NULL, @2); } /* exists if the rest is broken */
    opt_title JOIN name
      {
        dsl_node *n = ctx->node;
        if (n) { n->title = $4; n->join = $6; n->join_at = SPAN(@6); }
      }
    fork_lead '{' branches '}'
                            { ctx->node = NULL; }
  ;

opt_title
  : %empty                  { $$ = NULL; }
  | STRING                  { $$ = $1; }
  ;

fork_lead
  : %empty
  | LEAD STRING             { if (ctx->node) { ctx->node->lead = $2; ctx->node->lead_at = SPAN(@2); } }
  ;

branches
  : %empty
  | branches BRANCH name ARROW name    { yyerrok; transition(ctx, $3, NULL, $5, NULL, @3, @5); }
  | branches error resync
  ;

/* ------------------------------------------------------------ policies, directory */

/* ------------------------------------------------------------ message templates */

template
  : TEMPLATE STRING '{'
      {
        dsl_template *t = NEW(dsl_template);
        if (t) {
          t->name = $2;
          t->at = SPAN(@2);
          dsl__append(&ctx->prog->templates, t);
        }
        ctx->tmpl = t;
      }
    template_items '}'      { ctx->tmpl = NULL; }
  ;

template_items
  : %empty
  | template_items template_item{ yyerrok; }
  | template_items error resync
  ;

template_item
  : SUBJECT texts           { if (ctx->tmpl) { set_once(ctx, &ctx->tmpl->subject, $2, @$, "the subject"); ctx->tmpl->subject_at = SPAN(@2); } }
  | BODY texts              { if (ctx->tmpl) { set_once(ctx, &ctx->tmpl->body, $2, @$, "the body"); ctx->tmpl->body_at = SPAN(@2); } }
  | SMS texts               { if (ctx->tmpl) { set_once(ctx, &ctx->tmpl->sms, $2, @$, "the text message"); ctx->tmpl->sms_at = SPAN(@2); } }
  ;

/* Texts written one after the other are one text (a body over several lines). */
texts
  : STRING                  { $$ = $1; }
  | texts STRING            { $$ = concat(ctx, $1, $2); }
  ;

policy
  : POLICY STRING opt_title '{'
      {
        dsl_policy *p = NEW(dsl_policy);
        if (p) {
          p->id = $2;
          p->title = $3;
          p->at = SPAN(@2);
          dsl__append(&ctx->prog->policies, p);
        }
        ctx->policy = p;
      }
    settings '}'            { ctx->policy = NULL; }
  ;

settings
  : %empty
  | settings setting        { yyerrok; if (ctx->policy && $2) dsl__append(&ctx->policy->settings, $2); }
  | settings error resync
  ;

setting
  : key duration            { $$ = setting(ctx, $1, @1); if ($$) { $$->kind = DSL_VAL_DURATION; $$->duration = $2; $$->value_at = SPAN(@2); } }
  | key CLOCKTIME           { $$ = setting(ctx, $1, @1); if ($$) { $$->kind = DSL_VAL_CLOCK; $$->number = $2; $$->value_at = SPAN(@2); } }
  | key word                { $$ = setting(ctx, $1, @1); if ($$) { $$->kind = DSL_VAL_WORD; $$->text = $2; $$->value_at = SPAN(@2); } }
  | key BOOLEAN             { $$ = setting(ctx, $1, @1); if ($$) { $$->kind = DSL_VAL_BOOL; $$->number = $2; $$->value_at = SPAN(@2); } }
  | key STRING              { $$ = setting(ctx, $1, @1); if ($$) { $$->kind = DSL_VAL_STRING; $$->text = $2; $$->value_at = SPAN(@2); } }
  ;

key
  : name                    { $$ = $1; }
  | CALENDAR                { $$ = "calendar"; }
  ;

agency
  : AGENCY STRING STRING '{'
      {
        dsl_agency *a = NEW(dsl_agency);
        if (a) {
          a->code = $2;
          a->name = $3;
          a->at = SPAN(@2);
          dsl__append(&ctx->prog->agencies, a);
        }
        ctx->agency = a;
      }
    agency_items '}'        { ctx->agency = NULL; }
  ;

agency_items
  : %empty
  | agency_items setting    { yyerrok; if (ctx->agency && $2) dsl__append(&ctx->agency->settings, $2); }
  | agency_items DEPARTMENT STRING STRING
      {
        dsl_department *d = NEW(dsl_department);
        if (d && ctx->agency) {
          d->code = $3;
          d->name = $4;
          d->at = SPAN(@3);
          dsl__append(&ctx->agency->departments, d);
        }
      }
  | agency_items error resync
  ;

offer
  : OFFER STRING AT STRING
      {
        dsl_offer *o = NEW(dsl_offer);
        if (o) { o->procedure = $2; o->agency = $4; o->at = SPAN(@$); dsl__append(&ctx->prog->offers, o); }
      }
  | OFFER STRING AT EVERY name
      {
        dsl_offer *o = NEW(dsl_offer);
        if (o) { o->procedure = $2; o->every_level = $5; o->at = SPAN(@$); dsl__append(&ctx->prog->offers, o); }
      }
  ;

/* An agency gone from the directory, and its successor. */
merged
  : MERGED STRING INTO STRING
      {
        dsl_merger *m = NEW(dsl_merger);
        if (m) {
          m->from = $2;
          m->into = $4;
          m->at = SPAN(@$);
          m->from_at = SPAN(@2);
          m->into_at = SPAN(@4);
          dsl__append(&ctx->prog->mergers, m);
        }
      }
  ;

%%

/* Says the error in words (syntax.c), and marks what holds it incomplete. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, void *scanner, dsl_ctx *ctx) {
  (void)scanner;
  if (ctx->node)
    ctx->node->incomplete = true;
  else if (ctx->proc)
    ctx->proc->incomplete = true;
  if (ctx->tmpl)
    ctx->tmpl->incomplete = true;
  if (ctx->policy)
    ctx->policy->incomplete = true;
  if (ctx->agency)
    ctx->agency->incomplete = true;
  if (ctx->too_deep)
    return 0; /* already said, and the rest of the file is not read */
  yysymbol_kind_t kinds[YYNTOKENS];
  const char *expected[YYNTOKENS];
  int n = yypcontext_expected_tokens(yyctx, kinds, YYNTOKENS);
  if (n < 0)
    n = 0;
  for (int i = 0; i < n; i++)
    expected[i] = yysymbol_name(kinds[i]);
  const dsl_loc *at = yypcontext_location(yyctx);
  dsl__syntax_error(ctx, *at, yysymbol_name(yypcontext_token(yyctx)), expected, n);
  return 0;
}
