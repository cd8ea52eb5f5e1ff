/* admin.c — the admin socket (docs/PROTOCOL.md "The admin socket"): a Unix
 * socket, mode 0600, owned by the service user, through which the command
 * line's writing commands reach the running server (ARCHITECTURE.md: one
 * process writes).  One JSON request per line, one JSON reply per line.
 * Its peer could read the data directory anyway: it acts as system_admin,
 * recorded as the actor "admin-socket". */
#include "api/runtime.h"
#include "api/users.h"
#include "api/wire.h"

#include "base/error.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ADMIN_MAX_LINE (8u << 20) /* a compiled definition in base64 fits */

typedef struct admin_client {
  uv_pipe_t pipe;
  struct admin_client *next, *prev; /* the open ones, closed when the server stops */
  srv *s;
  mc_buf rx;
  int jobs;
  bool closed;
} admin_client;

static admin_client *clients; /* one server per process */

static const eng_actor admin_actor = {"admin-socket", "system_admin", NULL, "motcua admin socket"};

static void client_free(uv_handle_t *h) {
  admin_client *a = h->data;
  if (a->prev)
    a->prev->next = a->next;
  else if (clients == a)
    clients = a->next;
  if (a->next)
    a->next->prev = a->prev;
  a->next = a->prev = NULL;
  if (a->jobs > 0) {
    a->closed = true;
    return;
  }
  mc_buf_free(&a->rx);
  free(a);
}

static void client_close(admin_client *a) {
  if (!uv_is_closing((uv_handle_t *)&a->pipe))
    uv_close((uv_handle_t *)&a->pipe, client_free);
}

typedef struct wreq {
  uv_write_t w;
  char *text;
} wreq;

static void written(uv_write_t *w, int status) {
  wreq *r = (wreq *)w;
  (void)status;
  free(r->text);
  free(r);
}

static void send_line(admin_client *a, json_t *msg) {
  char *text = json_dumps(msg, JSON_COMPACT);
  json_decref(msg);
  if (text == NULL || a->closed || uv_is_closing((uv_handle_t *)&a->pipe)) {
    free(text);
    return;
  }
  size_t n = strlen(text);
  char *line = realloc(text, n + 2);
  if (line == NULL) {
    free(text);
    return;
  }
  line[n] = '\n';
  line[n + 1] = '\0';
  wreq *r = calloc(1, sizeof *r);
  if (r == NULL) {
    free(line);
    return;
  }
  r->text = line;
  uv_buf_t b = uv_buf_init(line, (unsigned)(n + 1));
  if (uv_write(&r->w, (uv_stream_t *)&a->pipe, &b, 1, written) != 0) {
    free(line);
    free(r);
  }
}

static void send_error(admin_client *a, json_t *id, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void send_error(admin_client *a, json_t *id, const char *code, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  send_line(a, json_pack("{s:O, s:b, s:o}", "id", id ? id : json_null(), "ok", 0, "error", srv_error(code, msg, NULL)));
}

/* The jobs of a client hold it (srv_owner): it is freed once it is closed
 * and its last job has ended. */
static void client_hold(void *owner) { ((admin_client *)owner)->jobs++; }

static void client_release(void *owner) {
  admin_client *a = owner;
  if (--a->jobs == 0 && a->closed) {
    mc_buf_free(&a->rx);
    free(a);
  }
}

/* The reply to a job's request: its id first, then `body` (taken). */
static void job_reply(job *j, json_t *body) {
  json_t *line = json_pack("{s:O}", "id", json_object_get(j->data, "id"));
  json_object_update(line, body);
  json_decref(body);
  send_line(j->owner, line);
}

/* The accounts' operations are api/users.c's, by the admin socket's actor. */
static const srv_user_front admin_front = {{client_hold, client_release}, job_reply, false};

static job *admin_job(admin_client *a, const char *op, json_t *id) {
  job *j = srv_job_new(a->s, &admin_front.owner, a, op);
  if (j == NULL)
    return NULL;
  j->data = json_pack("{s:O}", "id", id ? id : json_null());
  return j;
}

static void op_user(admin_client *a, json_t *req, json_t *id, const char *op) {
  json_t *data = json_pack("{s:O}", "id", id ? id : json_null());
  srv_user_req q = {.s = a->s, .front = &admin_front, .owner = a, .op = op, .request = req, .data = data,
                    .actor = admin_actor};
  srv_user_op(&q);
  json_decref(data);
}

/* ------------------------------------------------------------ publish */

/* A text of the request, by the name the command table gives an argument. */
static const char *arg_str(json_t *req, const eng_arg *arg) {
  return json_string_value(json_object_get(req, arg->wire));
}

static void publish_finish(job *j) {
  json_t *results = json_array();
  bool ok = true;
  for (int i = 0; i < j->ncmds; i++) {
    const eng_result *r = &j->results[i];
    ok &= r->status == 0;
    json_t *one = r->status ? json_pack("{s:b, s:o}", "ok", 0, "error", srv_error_of_result(r, NULL))
                            : json_pack("{s:b, s:b, s:I}", "ok", 1, "repeated", r->repeated, "seq",
                                        (json_int_t)(r->count ? r->first_seq : 0));
    /* A directory that merges an agency: how many dossiers and officials it moved. */
    if (r->status == 0 && !r->repeated && r->message[0] && j->cmds[i].kind == ENG_CMD_PUBLISH &&
        j->cmds[i].publish.def_kind == ENG_DEF_DIRECTORY)
      json_object_set_new(one, "message", json_string(r->message));
    json_array_append_new(results, one);
  }
  job_reply(j, json_pack("{s:b, s:o}", "ok", ok, "results", results));
  srv_job_free(j);
}

/* {"op": "publish", "items": [{"kind", "bytes_b64", "effective_from"} or
 * {"op": "retire", "kind", "def_id", "effective_from"}]}: one job, in order. */
static void publish(admin_client *a, json_t *req, json_t *id) {
  json_t *items = json_object_get(req, "items");
  if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > 512) {
    send_error(a, id, "bad_request", "publish: \"items\" is a list of 1 to 512 definitions");
    return;
  }
  job *j = admin_job(a, "publish", id);
  if (j == NULL)
    return;
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    const char *kind = arg_str(it, ENG_ARG(publish, def_kind));
    const char *b64 = arg_str(it, ENG_ARG(publish, bytes));
    const char *retire = arg_str(it, ENG_ARG(retire, id));
    const char *cid = json_string_value(json_object_get(it, "command_id"));
    json_t *from = json_object_get(it, ENG_ARG(publish, effective_from)->wire);
    int k = -1;
    for (int d = 0; d <= ENG_DEF_TEMPLATE && kind; d++)
      if (!strcmp(kind, eng_def_kind_name((eng_def_kind)d)))
        k = d;
    if (k < 0 || (!b64 && !retire) || !json_is_integer(from)) {
      send_error(a, id, "bad_request",
                 "publish: items[%zu] is {kind: procedure|policy|directory|calendar|template, bytes_b64 | retire: id, "
                 "effective_from: ms}",
                 i);
      srv_job_free(j);
      return;
    }
    eng_command *c = srv_job_command(j);
    c->actor = admin_actor;
    c->command_id = srv_job_strdup(j, cid);
    if (retire) {
      c->kind = ENG_CMD_RETIRE;
      c->retire = (eng_retire_args){.def_kind = (eng_def_kind)k, .id = srv_job_strdup(j, retire),
                                    .effective_from = json_integer_value(from)};
      continue;
    }
    c->kind = ENG_CMD_PUBLISH;
    c->publish.def_kind = (eng_def_kind)k;
    c->publish.effective_from = json_integer_value(from);
    size_t cap = strlen(b64), n = 0;
    uint8_t *bytes = mc_arena_alloc(&j->arena, cap ? cap : 1);
    if (sodium_base642bin(bytes, cap, b64, strlen(b64), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
      send_error(a, id, "bad_request", "publish: items[%zu].bytes_b64 is not base64", i);
      srv_job_free(j);
      return;
    }
    c->publish.bytes = (eng_bytes){bytes, n};
  }
  j->finish = publish_finish;
  srv_job_start(j);
}

/* ------------------------------------------------------------ dispatch */

static void op_publish(admin_client *a, json_t *req, json_t *id, const char *op) {
  (void)op;
  publish(a, req, id);
}

static void op_status(admin_client *a, json_t *req, json_t *id, const char *op) {
  (void)req, (void)op;
  send_line(a, json_pack("{s:O, s:b, s:I, s:i, s:i}", "id", id ? id : json_null(), "ok", 1, "seq",
                         (json_int_t)a->s->pushed_seq, "connections", a->s->nconns, "jobs_in_flight",
                         a->s->jobs_in_flight));
}

/* The operations of docs/PROTOCOL.md "The admin socket", each with the
 * fields it takes besides op and id (NULL: the accounts' operation's,
 * srv_user_fields): any other is refused, naming it (a typo — "emial" —
 * must not make an official without an e-mail). */
typedef struct admin_op {
  const char *name;
  const char *fields; /* comma-separated */
  void (*run)(admin_client *a, json_t *req, json_t *id, const char *op);
} admin_op;

static const admin_op admin_ops[] = {
    {"user_add", NULL, op_user},      {"user_disable", NULL, op_user}, {"user_enable", NULL, op_user},
    {"user_password", NULL, op_user}, {"user_roles", NULL, op_user},   {"publish", "items", op_publish},
    {"status", "", op_status},
};

/* The first field of `req` that is not op, id or one of `fields`, or NULL. */
static const char *unknown_field(json_t *req, const char *fields) {
  const char *k;
  json_t *v;
  json_object_foreach(req, k, v) {
    if (strcmp(k, "op") && strcmp(k, "id") && !srv_wire_field_in(fields, k))
      return k;
  }
  return NULL;
}

/* "user_add, user_disable, ..., status". */
static const char *op_names(void) {
  static char names[200];
  size_t n = 0;
  if (names[0] == '\0')
    for (size_t i = 0; i < sizeof admin_ops / sizeof admin_ops[0]; i++)
      n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", admin_ops[i].name);
  return names;
}

static void handle_line(admin_client *a, const char *line, size_t len) {
  json_error_t err;
  json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
  if (req == NULL || !json_is_object(req)) {
    send_error(a, NULL, "bad_request", "malformed JSON at column %d: %s", err.column, req ? "not an object" : err.text);
    json_decref(req);
    return;
  }
  json_t *id = json_object_get(req, "id");
  const char *op = json_string_value(json_object_get(req, "op"));
  const admin_op *o = NULL;
  for (size_t i = 0; op && i < sizeof admin_ops / sizeof admin_ops[0] && o == NULL; i++)
    if (!strcmp(admin_ops[i].name, op))
      o = &admin_ops[i];
  const char *fields = o ? (o->fields ? o->fields : srv_user_fields(o->name)) : NULL;
  const char *unknown = o ? unknown_field(req, fields) : NULL;
  if (a->s->stopping)
    send_error(a, id, "unavailable", "the server is stopping");
  else if (op == NULL)
    send_error(a, id, "bad_request", "no \"op\"");
  else if (o == NULL)
    send_error(a, id, "bad_request", "unknown op \"%s\": %s", op, op_names());
  else if (unknown)
    send_error(a, id, "bad_request", "%s: unknown field \"%s\" (it takes: %s)", op, unknown,
               fields[0] ? fields : "nothing but op and id");
  else
    o->run(a, req, id, o->name);
  json_decref(req);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  buf->base = malloc(suggested);
  buf->len = buf->base ? suggested : 0;
}

static void read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *buf) {
  admin_client *a = st->data;
  if (n < 0) {
    free(buf->base);
    client_close(a);
    return;
  }
  mc_buf_append(&a->rx, buf->base, (size_t)n);
  free(buf->base);
  size_t start = 0;
  for (size_t i = 0; i < a->rx.len; i++)
    if (a->rx.data[i] == '\n') {
      handle_line(a, (const char *)a->rx.data + start, i - start);
      start = i + 1;
    }
  if (start) {
    memmove(a->rx.data, a->rx.data + start, a->rx.len - start);
    a->rx.len -= start;
  }
  if (a->rx.len > ADMIN_MAX_LINE) {
    send_error(a, NULL, "too_large", "a line longer than %u bytes", ADMIN_MAX_LINE);
    client_close(a);
  }
}

static void on_connect(uv_stream_t *server, int status) {
  srv *s = server->data;
  if (status < 0)
    return;
  admin_client *a = calloc(1, sizeof *a);
  if (a == NULL)
    return;
  a->s = s;
  a->next = clients;
  if (clients)
    clients->prev = a;
  clients = a;
  uv_pipe_init(&s->loop, &a->pipe, 0);
  a->pipe.data = a;
  if (uv_accept(server, (uv_stream_t *)&a->pipe) != 0) {
    uv_close((uv_handle_t *)&a->pipe, client_free);
    return;
  }
  uv_read_start((uv_stream_t *)&a->pipe, alloc_cb, read_cb);
}

static int admin_open(srv *s) {
  const char *path = s->cfg.admin_socket;
  unlink(path); /* a socket left by a killed server: the writer lock proves nobody else runs */
  uv_pipe_init(&s->loop, &s->admin, 0);
  s->admin.data = s;
  mode_t old = umask(0177);
  int rc = uv_pipe_bind(&s->admin, path);
  umask(old);
  if (rc == 0)
    rc = uv_listen((uv_stream_t *)&s->admin, 16, on_connect);
  if (rc) {
    mc_log(MC_LOG_ERROR, "admin", "cannot listen on %s: %s", path, uv_strerror(rc));
    uv_close((uv_handle_t *)&s->admin, NULL);
    return MC_EIO;
  }
  chmod(path, 0600);
  s->admin_open = true;
  return 0;
}

static void admin_close(srv *s) {
  if (!s->admin_open)
    return;
  s->admin_open = false;
  for (admin_client *a = clients; a; a = a->next)
    client_close(a);
  uv_close((uv_handle_t *)&s->admin, NULL);
  unlink(s->cfg.admin_socket);
}

/* Its jobs hold the client (admin_front's owner: client_hold, client_release). */
const srv_front srv_front_admin = {
    .name = "admin",
    .open = admin_open,
    .close = admin_close,
};
