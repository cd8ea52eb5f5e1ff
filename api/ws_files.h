/* ws_files.h — the WebSocket's ops on a dossier's files (api/ws_files.c):
 * a link to download one, for whoever may read the dossier; the documents
 * an applicant has on file, offered for reuse. */
#ifndef MOTCUA_API_WS_FILES_H
#define MOTCUA_API_WS_FILES_H

#include "api/ws_req.h"

void srv_ws_op_file_link(req *r);
void srv_ws_op_documents_on_file(req *r);

#endif
