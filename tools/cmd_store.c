/* cmd_store.c — `motcua store append`: writes events through the store's
 * batch API, for auditors' test set-ups and the tests, until the engine's
 * commands exist.
 *
 *   motcua store append DATA_DIR --stream ID --type T [--data-json JSON]
 *                       [--expect VERSION] [--command-id ID] [--who W]
 *                       [--role R] [--client C] [--causation ID]
 *                       [--correlation ID] [--count N]
 *
 * Opens the directory as its writer (refused while motcuad runs), appends,
 * commits durably, and prints one line per command: "seq 12 stream dossier/7
 * version 3".  --count N appends N events to the stream in batches of up to
 * 1,000 commands, as a writer thread under load would.
 */
#include "tools/cli.h"
#include "tools/cmd_store_json.h"

#include "base/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: motcua store append DATA_DIR --stream ID --type TYPE [--data-json JSON]\n"
    "                           [--expect VERSION] [--command-id ID] [--who W] [--role R]\n"
    "                           [--client C] [--causation ID] [--correlation ID] [--count N]\n"
    "\n"
    "  --data-json JSON   the event's data (default {}); integers, no floats\n"
    "  --expect VERSION   the stream's version the change was decided against (0: a new\n"
    "                     stream); a stale one is refused as a conflict.  Default: any\n"
    "  --command-id ID    the client's id: retrying it appends nothing and prints the\n"
    "                     original sequence\n"
    "  --count N          append N events (each as its own command, batched)\n";

static int parse_u64(const char *text, uint64_t *out) {
  char *end;
  if (text[0] < '0' || text[0] > '9')
    return MC_EPARSE;
  *out = strtoull(text, &end, 10);
  return *end ? MC_EPARSE : 0;
}

static int append_events(store *st, store_event_in *in, const char *command_id, uint64_t count) {
  uint64_t done = 0;
  while (done < count) {
    store_batch *b;
    store_cmd_result prior, res;
    int64_t last_time;
    int rc = store_batch_begin(st, &b);
    if (rc) {
      cli_error("store", "%s", store_errmsg(st));
      return CLI_FAILED;
    }
    store_batch_head(b, NULL, NULL, &last_time);
    in->time = mc_clock_now();
    if (in->time < last_time)
      in->time = last_time; /* the later of the clock and the previous event */
    uint64_t n = count - done < 1000 ? count - done : 1000;
    for (uint64_t i = 0; i < n; i++) {
      uint64_t seq, actual = 0;
      if ((rc = store_cmd_begin(b, command_id, &prior)))
        break;
      if (prior.repeated) {
        printf("seq %" PRIu64 " (repeated command %s: nothing appended)\n", prior.first_seq,
               command_id);
        continue;
      }
      rc = store_append(b, in, &seq, &actual);
      if (rc == 0)
        rc = store_cmd_commit(b, &res);
      if (rc) {
        store_cmd_abort(b);
        break;
      }
      if (count == 1)
        printf("seq %" PRIu64 " stream %s version %" PRIu64 "\n", seq, in->stream, actual + 1);
      if (in->expected_version != STORE_ANY_VERSION)
        in->expected_version++;
    }
    if (rc) {
      cli_error("store", "%s%s", store_errmsg(st),
                rc == MC_ECONFLICT ? "; read the stream again and decide anew" : "");
      store_batch_abort(b);
      return CLI_FAILED;
    }
    if ((rc = store_batch_commit(b))) {
      cli_error("store", "nothing of the last batch was stored: %s", store_errmsg(st));
      return CLI_FAILED;
    }
    done += n;
  }
  if (count > 1)
    printf("appended %" PRIu64 " events to %s\n", count, in->stream);
  return CLI_OK;
}

int cmd_store(int argc, char **argv);

int cmd_store(int argc, char **argv) {
  const char *dir = NULL, *data_json = "{}", *expect = NULL, *command_id = NULL, *count_text = NULL;
  store_event_in in;
  mc_buf data = MC_BUF_INIT, why = MC_BUF_INIT;
  uint64_t count = 1;
  store *st = NULL;
  int status = CLI_USAGE;

  memset(&in, 0, sizeof in);
  in.expected_version = STORE_ANY_VERSION;
  if (argc < 2 || strcmp(argv[1], "append") != 0) {
    fputs(USAGE, argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
    return argc >= 2 && strcmp(argv[1], "--help") == 0 ? CLI_OK : CLI_USAGE;
  }
  for (int i = 2; i < argc; i++) {
    int r;
    if ((r = cli_opt("store", argc, argv, &i, "--stream", &in.stream)) ||
        (r = cli_opt("store", argc, argv, &i, "--type", &in.type)) ||
        (r = cli_opt("store", argc, argv, &i, "--data-json", &data_json)) ||
        (r = cli_opt("store", argc, argv, &i, "--expect", &expect)) ||
        (r = cli_opt("store", argc, argv, &i, "--command-id", &command_id)) ||
        (r = cli_opt("store", argc, argv, &i, "--who", &in.actor.who)) ||
        (r = cli_opt("store", argc, argv, &i, "--role", &in.actor.role)) ||
        (r = cli_opt("store", argc, argv, &i, "--client", &in.actor.client)) ||
        (r = cli_opt("store", argc, argv, &i, "--causation", &in.causation)) ||
        (r = cli_opt("store", argc, argv, &i, "--correlation", &in.correlation)) ||
        (r = cli_opt("store", argc, argv, &i, "--count", &count_text))) {
      if (r < 0)
        goto done;
    } else if (argv[i][0] != '-' && dir == NULL) {
      dir = argv[i];
    } else {
      cli_error("store", "unknown option \"%s\"", argv[i]);
      fputs(USAGE, stderr);
      goto done;
    }
  }
  if (dir == NULL || in.stream == NULL || in.type == NULL) {
    cli_error("store", "give the data directory, --stream and --type");
    fputs(USAGE, stderr);
    goto done;
  }
  if ((expect && parse_u64(expect, &in.expected_version)) ||
      (count_text && (parse_u64(count_text, &count) || count == 0))) {
    cli_error("store", "--expect and --count take a whole number");
    goto done;
  }
  if (count > 1 && command_id) {
    cli_error("store", "--command-id names one command: it cannot go with --count");
    goto done;
  }
  if (cli_json_to_canon(data_json, &data, &why) != 0) {
    cli_error("store", "--data-json: %s", mc_buf_cstr(&why));
    status = CLI_FAILED;
    goto done;
  }
  in.data = data.data;
  in.data_len = data.len;
  if (!in.actor.client)
    in.actor.client = "motcua store append";
  if ((status = cli_store_open("store", dir, false, &st)) == CLI_OK)
    status = append_events(st, &in, command_id, count);
done:
  store_close(st);
  mc_buf_free(&data);
  mc_buf_free(&why);
  return status;
}
