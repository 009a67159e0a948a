/*
 * Importers: Zendesk ticket audits, Zendesk ticket metric events and Jira
 * issues with their changelog, read with the library's JSON reader
 * (json.c) into the events of cm_sla_policyset_evaluate(). Each importer
 * runs twice over the document: once to size the ticket, once to fill the
 * single block it is allocated in. Field mapping: docs/sla.md, "Importers".
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/sla.h>

#include <string.h>

#include "common-internal.h"
#include "json-internal.h"
#include "sla-internal.h"

struct cm_sla_ticket {
    cm_allocator alloc;
    bool own_alloc;
    size_t nevents;
    const cm_sla_ticket_event *events;
    const char *id;
    size_t skipped;
};

/* One pass of an importer: counting (fill false) or filling the ticket. */
typedef struct imp {
    const char *json;
    size_t len;
    const cm_sla_import_options *opt;
    cm_parse_error err;
    bool fill;
    size_t nev, nbytes, nscratch, skipped;
    cm_sla_ticket_event *ev; /* fill: the events */
    char *str;               /* fill: the strings */
    void *scratch;           /* fill: the importer's working array */
    const char *id;
} imp;

/* Records an error at the byte `at` of the document and returns CM_EPARSE. */
static cm_status ifail(imp *m, const char *at, const char *message)
{
    uint32_t line = 1, col = 1;
    for (const char *p = m->json; p < at; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    m->err.line = line;
    m->err.column = col;
    m->err.message = message;
    return CM_EPARSE;
}

static const char placeholder[] = "";

/* A copy of a decoded JSON string (counted only, in the counting pass). */
static const char *istr(imp *m, const json_value *v)
{
    const size_t n = cm__json_decode(v, NULL);
    if (!m->fill) {
        m->nbytes += n + 1;
        return placeholder;
    }
    char *d = m->str + m->nbytes;
    (void)cm__json_decode(v, d);
    m->nbytes += n + 1;
    return d;
}

/* A copy of raw bytes (numbers written as text). */
static const char *iraw(imp *m, const char *p, size_t n)
{
    if (!m->fill) {
        m->nbytes += n + 1;
        return placeholder;
    }
    char *d = m->str + m->nbytes;
    memcpy(d, p, n);
    d[n] = '\0';
    m->nbytes += n + 1;
    return d;
}

/* The strings of an array joined by single spaces; false if an element is not a string. */
static bool ijoin(imp *m, const json_value *array, const char **out)
{
    json_iter it;
    json_value v;
    size_t n = 0;
    cm__json_iter(array, &it);
    while (cm__json_next(&it, NULL, &v)) {
        if (v.kind != JSON_STRING)
            return false;
        n += cm__json_decode(&v, NULL) + 1;
    }
    if (!m->fill) {
        m->nbytes += n + 1;
        *out = placeholder;
        return true;
    }
    char *d = m->str + m->nbytes;
    size_t k = 0;
    cm__json_iter(array, &it);
    while (cm__json_next(&it, NULL, &v)) {
        if (k > 0)
            d[k++] = ' ';
        k += cm__json_decode(&v, d + k);
    }
    d[k] = '\0';
    m->nbytes += n + 1;
    *out = d;
    return true;
}

static void iev(imp *m, cm_time at, uint16_t type, uint16_t flags, uint32_t value, const char *name,
                const char *text, int64_t number)
{
    if (m->fill) {
        cm_sla_ticket_event *e = &m->ev[m->nev];
        e->event.at = at;
        e->event.type = type;
        e->event.flags = flags;
        e->event.value = value;
        e->name = name;
        e->text = text;
        e->number = number;
    }
    m->nev++;
}

/* An entry of an unknown type: an error, or skipped and counted. */
static cm_status unknown(imp *m, const char *at, const char *message)
{
    if (m->opt != NULL && (m->opt->flags & CM_SLA_IMPORT_SKIP_UNKNOWN)) {
        m->skipped++;
        return CM_OK;
    }
    return ifail(m, at, message);
}

/*
 * A timestamp: RFC 3339 (Zendesk: 2025-01-06T09:00:00Z) or Jira's form with
 * milliseconds and an offset without a colon (2025-01-06T09:00:00.000+0000).
 */
static cm_status itime(imp *m, const json_value *v, cm_time *out)
{
    char buf[48];
    if (v->kind != JSON_STRING || v->len > sizeof buf - 2)
        return ifail(m, v->p, "expected a timestamp such as 2025-01-06T09:00:00Z");
    size_t n = cm__json_decode(v, buf);
    /* ...+HHMM or -HHMM at the end: insert the colon RFC 3339 wants. */
    if (n >= 5 && (buf[n - 5] == '+' || buf[n - 5] == '-') && buf[n - 3] != ':') {
        bool digits = true;
        for (size_t k = n - 4; k < n; k++)
            digits = digits && buf[k] >= '0' && buf[k] <= '9';
        if (digits) {
            buf[n + 1] = '\0';
            buf[n] = buf[n - 1];
            buf[n - 1] = buf[n - 2];
            buf[n - 2] = ':';
            n++;
        }
    }
    if (cm_time_parse(buf, n, out) != CM_OK || *out < CM_CALENDAR_TIME_MIN ||
        *out > CM_CALENDAR_TIME_MAX)
        return ifail(m, v->p, "expected a timestamp such as 2025-01-06T09:00:00Z");
    return CM_OK;
}

/* A member that must be there with one of the kinds in `kinds` (a bit per json_kind). */
static cm_status need(imp *m, const json_value *obj, const char *key, unsigned kinds,
                      json_value *out, const char *message)
{
    if (!cm__json_get(obj, key, out) || !((kinds >> out->kind) & 1u))
        return ifail(m, obj->p, message);
    return CM_OK;
}

#define K(kind) (1u << (kind))

/* An attribute event from a JSON value: text, number, null (unset), boolean, list of strings. */
static cm_status attr_event(imp *m, cm_time at, const char *name, const json_value *v)
{
    int64_t num;
    const char *text = NULL;
    /* A priority is one of the set's level names (or none): a number would name no level. */
    if (v->kind == JSON_NUMBER && strcmp(name, "priority") == 0)
        return ifail(m, v->p, "a priority is a name such as \"high\", or null, not a number");
    switch (v->kind) {
    case JSON_NULL:
        break;
    case JSON_STRING:
        text = istr(m, v);
        break;
    case JSON_NUMBER:
        if (cm__json_int(v, &num)) {
            iev(m, at, CM_SLA_EVENT_ATTRIBUTE, CM_SLA_EVENT_NUMBER, 0, name, NULL, num);
            return CM_OK;
        }
        text = iraw(m, v->p, v->len);
        break;
    case JSON_TRUE:
        text = "true";
        break;
    case JSON_FALSE:
        text = "false";
        break;
    case JSON_ARRAY:
        if (!ijoin(m, v, &text))
            return ifail(m, v->p, "a list value must hold strings");
        break;
    default:
        return ifail(m, v->p, "an object is not an attribute value");
    }
    iev(m, at, CM_SLA_EVENT_ATTRIBUTE, 0, 0, name, text, 0);
    return CM_OK;
}

/* The id of a value: a number's digits or a string's text, into buf (NUL-terminated). */
static bool id_text(const json_value *v, char *buf, size_t cap)
{
    if (v->kind == JSON_NUMBER && v->len < cap) {
        memcpy(buf, v->p, v->len);
        buf[v->len] = '\0';
        return true;
    }
    if (v->kind == JSON_STRING && v->len <= cap) {
        (void)cm__json_decode(v, buf);
        return true;
    }
    return false;
}

/* ---------------------------------------------------------------------- */
/* Zendesk ticket audits                                                  */
/* ---------------------------------------------------------------------- */

#define MAX_REQUESTERS 64
#define ID_CAP         96

typedef struct zd {
    char requesters[MAX_REQUESTERS][ID_CAP];
    size_t nrequesters;
    char ticket[ID_CAP];
    bool have_ticket;
} zd;

static bool zd_is_requester(const zd *z, const char *id)
{
    for (size_t i = 0; i < z->nrequesters; i++) {
        if (strcmp(z->requesters[i], id) == 0)
            return true;
    }
    return false;
}

static const char *const zd_ignored[] = {
    "Notification",
    "Cc",
    "Email",
    "SatisfactionRating",
    "Tweet",
    "FacebookEvent",
    "LogMeInTranscript",
    "Push",
    "External",
    "Error",
    "OrganizationActivity",
    "AgentMacroReference",
    "TicketSharingEvent",
    "CommentRedactionEvent",
    "CommentPrivacyChange",
    "AttachmentRedactionEvent",
    "ChatStartedEvent",
    "ChatEndedEvent",
    "AuditEvent",
    "SMS",
};

/* Zendesk field names with a name of their own here; the others keep theirs. */
static const char *zd_field(const json_value *f)
{
    static const char *const from[] = {
        "group_id", "organization_id", "brand_id", "assignee_id", "type", "via"};
    static const char *const to[] = {"group",    "organization", "brand",
                                     "assignee", "type",         "channel"};
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
        if (cm__json_eq(f, from[i]))
            return to[i];
    }
    return NULL;
}

/* First pass over the audits: the ticket's id and its requesters. */
static cm_status zd_scan(imp *m, zd *z, const json_value *audits)
{
    json_iter it, ei;
    json_value a, v, events, e, f;
    cm__json_iter(audits, &it);
    while (cm__json_next(&it, NULL, &a)) {
        if (a.kind != JSON_OBJECT)
            return ifail(m, a.p, "an audit is an object");
        if (cm__json_get(&a, "ticket_id", &v) && v.kind != JSON_NULL) {
            char id[ID_CAP];
            if (!id_text(&v, id, sizeof id))
                return ifail(m, v.p, "ticket_id is a number");
            if (z->have_ticket && strcmp(id, z->ticket) != 0)
                return ifail(m, v.p, "audits of several tickets: import one ticket at a time");
            memcpy(z->ticket, id, sizeof id);
            z->have_ticket = true;
        }
        if (!cm__json_get(&a, "events", &events) || events.kind != JSON_ARRAY)
            continue; /* reported by the second pass */
        cm__json_iter(&events, &ei);
        while (cm__json_next(&ei, NULL, &e)) {
            if (e.kind != JSON_OBJECT || !cm__json_get(&e, "field_name", &f) ||
                !cm__json_eq(&f, "requester_id") || !cm__json_get(&e, "value", &v) ||
                v.kind == JSON_NULL)
                continue;
            char id[ID_CAP];
            if (!id_text(&v, id, sizeof id))
                return ifail(m, v.p, "requester_id is a number");
            if (!zd_is_requester(z, id)) {
                if (z->nrequesters == MAX_REQUESTERS)
                    return ifail(m, v.p, "more than 64 requesters");
                memcpy(z->requesters[z->nrequesters++], id, sizeof id);
            }
        }
    }
    return CM_OK;
}

static cm_status zd_status(imp *m, cm_time at, const json_value *v)
{
    static const char *const names[] = {"new", "open", "pending", "hold", "solved", "closed"};
    for (uint32_t s = 0; s < 6; s++) {
        if (cm__json_eq(v, names[s])) {
            iev(m, at, CM_SLA_EVENT_STATUS, 0, s, NULL, NULL, 0);
            return CM_OK;
        }
    }
    return ifail(m, v->p,
                 "unknown Zendesk status: expected new, open, pending, hold, solved or "
                 "closed");
}

/* A Create or Change event: a field and its new value. */
static cm_status zd_field_event(imp *m, cm_time at, const json_value *e)
{
    json_value f, v;
    CM_TRY(
        need(m, e, "field_name", K(JSON_STRING), &f, "a Create or Change event has a field_name"));
    if (!cm__json_get(e, "value", &v))
        return ifail(m, e->p, "a Create or Change event has a value");
    if (cm__json_eq(&f, "status")) {
        if (v.kind != JSON_STRING)
            return ifail(m, v.p, "a status is a string");
        return zd_status(m, at, &v);
    }
    if (cm__json_eq(&f, "tags")) {
        const char *text = "";
        if (v.kind == JSON_ARRAY) {
            if (!ijoin(m, &v, &text))
                return ifail(m, v.p, "tags are strings");
        } else if (v.kind == JSON_STRING) {
            text = istr(m, &v);
        } else if (v.kind != JSON_NULL) {
            return ifail(m, v.p, "tags are a list of strings");
        }
        iev(m, at, CM_SLA_EVENT_TAGS, 0, 0, NULL, text, 0);
        return CM_OK;
    }
    if (cm__json_eq(&f, "requester_id"))
        return CM_OK; /* read by the first pass */
    const char *name = zd_field(&f);
    if (name == NULL)
        name = cm__json_eq(&f, "priority") ? "priority" : istr(m, &f);
    if (m->fill && name[0] == '\0')
        return ifail(m, f.p, "a field_name is not empty");
    return attr_event(m, at, name, &v);
}

static cm_status zd_audits(imp *m, const json_value *root)
{
    json_value audits;
    if (root->kind == JSON_ARRAY)
        audits = *root;
    else if (!cm__json_get(root, "audits", &audits) || audits.kind != JSON_ARRAY)
        return ifail(m, root->p, "expected Zendesk audits: {\"audits\": [...]}");
    zd z;
    memset(&z, 0, sizeof z);
    CM_TRY(zd_scan(m, &z, &audits));
    m->id = z.have_ticket ? iraw(m, z.ticket, strlen(z.ticket)) : "";
    json_iter it;
    json_value a;
    bool created = false;
    cm__json_iter(&audits, &it);
    while (cm__json_next(&it, NULL, &a)) {
        json_value t, events, v;
        cm_time at;
        CM_TRY(need(m, &a, "created_at", K(JSON_STRING), &t, "an audit has a created_at"));
        CM_TRY(itime(m, &t, &at));
        CM_TRY(need(m, &a, "events", K(JSON_ARRAY), &events, "an audit has a list of events"));
        char author[ID_CAP] = "";
        if (cm__json_get(&a, "author_id", &v) && v.kind != JSON_NULL &&
            !id_text(&v, author, sizeof author))
            return ifail(m, v.p, "author_id is a number");
        /* Triggers and automations act "via rule"; -1 is Zendesk itself. */
        bool automated = strcmp(author, "-1") == 0;
        json_value via, ch;
        if (cm__json_get(&a, "via", &via) && cm__json_get(&via, "channel", &ch))
            automated = automated || cm__json_eq(&ch, "rule") || cm__json_eq(&ch, "system");
        /* Is it the creation? Its first comment is the ticket's description. */
        json_iter ei;
        json_value e, type;
        bool is_create = false;
        cm__json_iter(&events, &ei);
        while (cm__json_next(&ei, NULL, &e)) {
            if (e.kind == JSON_OBJECT && cm__json_get(&e, "type", &type) &&
                cm__json_eq(&type, "Create"))
                is_create = true;
        }
        if (is_create && created)
            return ifail(m, a.p, "two audits create the ticket");
        bool description = is_create;
        if (is_create) {
            /* The description (the first comment) says who created the ticket. */
            uint16_t flags = 0;
            cm__json_iter(&events, &ei);
            while (cm__json_next(&ei, NULL, &e)) {
                if (e.kind != JSON_OBJECT || !cm__json_get(&e, "type", &type) ||
                    !(cm__json_eq(&type, "Comment") || cm__json_eq(&type, "VoiceComment")))
                    continue;
                char who[ID_CAP];
                memcpy(who, author, sizeof who);
                if (cm__json_get(&e, "author_id", &v) && v.kind != JSON_NULL &&
                    !id_text(&v, who, sizeof who))
                    return ifail(m, v.p, "author_id is a number");
                const bool pub = !(cm__json_get(&e, "public", &v) && v.kind == JSON_FALSE);
                if (pub && !zd_is_requester(&z, who))
                    flags = CM_SLA_EVENT_BY_AGENT;
                break;
            }
            created = true;
            iev(m, at, CM_SLA_EVENT_CREATED, flags, 0, NULL, NULL, 0);
        }
        cm__json_iter(&events, &ei);
        while (cm__json_next(&ei, NULL, &e)) {
            if (e.kind != JSON_OBJECT)
                return ifail(m, e.p, "an audit event is an object");
            CM_TRY(need(m, &e, "type", K(JSON_STRING), &type, "an audit event has a type"));
            if (cm__json_eq(&type, "Create") || cm__json_eq(&type, "Change")) {
                CM_TRY(zd_field_event(m, at, &e));
            } else if (cm__json_eq(&type, "Comment") || cm__json_eq(&type, "VoiceComment")) {
                bool pub = true;
                char who[ID_CAP];
                memcpy(who, author, sizeof who);
                if (cm__json_get(&e, "public", &v)) {
                    if (v.kind != JSON_TRUE && v.kind != JSON_FALSE)
                        return ifail(m, v.p, "public is true or false");
                    pub = v.kind == JSON_TRUE;
                }
                if (cm__json_get(&e, "author_id", &v) && v.kind != JSON_NULL &&
                    !id_text(&v, who, sizeof who))
                    return ifail(m, v.p, "author_id is a number");
                const bool customer = zd_is_requester(&z, who);
                if (description) {
                    description = false; /* part of the creation */
                    continue;
                }
                const uint16_t type16 = !pub       ? CM_SLA_EVENT_AGENT_NOTE
                                        : customer ? CM_SLA_EVENT_CUSTOMER_REPLY
                                                   : CM_SLA_EVENT_AGENT_REPLY;
                iev(m, at, type16, automated ? CM_SLA_EVENT_AUTOMATED : 0, 0, NULL, NULL, 0);
            } else {
                bool known = false;
                for (size_t k = 0; k < sizeof zd_ignored / sizeof zd_ignored[0]; k++)
                    known = known || cm__json_eq(&type, zd_ignored[k]);
                if (!known)
                    CM_TRY(unknown(m, type.p, "unknown Zendesk audit event type"));
            }
        }
    }
    if (!created)
        return ifail(m, root->p, "no audit creates the ticket (no Create event)");
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Zendesk ticket metric events                                           */
/* ---------------------------------------------------------------------- */

enum { ZM_REPLY, ZM_WAIT, ZM_WORK, ZM_RESOLUTION, ZM_OTHER };
enum { ZT_ACTIVATE, ZT_PAUSE, ZT_FULFILL, ZT_OTHER };

typedef struct zm_entry {
    cm_time at;
    size_t order;
    int64_t instance;
    uint8_t metric, type;
    const char *where;
} zm_entry;

static void msort(void *base, void *tmp, size_t n, size_t size, cm_time (*key)(const void *));

static cm_time zm_key(const void *p)
{
    return ((const zm_entry *)p)->at;
}

static cm_status zm_read(imp *m, const json_value *list, zm_entry *entries, size_t *n,
                         char ticket[ID_CAP])
{
    static const char *const metrics[] = {"reply_time", "requester_wait_time", "agent_work_time",
                                          "resolution_time"};
    static const char *const others[] = {"periodic_update_time", "pausable_update_time",
                                         "group_ownership_time"};
    static const char *const types[] = {"activate", "pause", "fulfill"};
    static const char *const other_types[] = {"apply_sla", "apply_group_sla", "breach",
                                              "update_status", "measure"};
    json_iter it;
    json_value e, v;
    bool have_ticket = false;
    size_t k = 0;
    ticket[0] = '\0';
    cm__json_iter(list, &it);
    while (cm__json_next(&it, NULL, &e)) {
        if (e.kind != JSON_OBJECT)
            return ifail(m, e.p, "a metric event is an object");
        zm_entry x;
        memset(&x, 0, sizeof x);
        x.order = k;
        x.where = e.p;
        if (cm__json_get(&e, "ticket_id", &v)) {
            char id[ID_CAP];
            if (!id_text(&v, id, sizeof id))
                return ifail(m, v.p, "ticket_id is a number");
            if (have_ticket && strcmp(id, ticket) != 0)
                return ifail(m, v.p,
                             "metric events of several tickets: import one ticket at a "
                             "time");
            memcpy(ticket, id, sizeof id);
            have_ticket = true;
        }
        json_value metric, type, t;
        CM_TRY(need(m, &e, "metric", K(JSON_STRING), &metric, "a metric event has a metric"));
        CM_TRY(need(m, &e, "type", K(JSON_STRING), &type, "a metric event has a type"));
        CM_TRY(need(m, &e, "time", K(JSON_STRING), &t, "a metric event has a time"));
        CM_TRY(itime(m, &t, &x.at));
        x.metric = ZM_OTHER;
        bool known = false;
        for (uint8_t i = 0; i < 4; i++) {
            if (cm__json_eq(&metric, metrics[i])) {
                x.metric = i;
                known = true;
            }
        }
        for (size_t i = 0; i < 3; i++)
            known = known || cm__json_eq(&metric, others[i]);
        if (!known) {
            CM_TRY(unknown(m, metric.p, "unknown Zendesk metric"));
            continue;
        }
        x.type = ZT_OTHER;
        known = false;
        for (uint8_t i = 0; i < 3; i++) {
            if (cm__json_eq(&type, types[i])) {
                x.type = i;
                known = true;
            }
        }
        for (size_t i = 0; i < 5; i++)
            known = known || cm__json_eq(&type, other_types[i]);
        if (!known) {
            CM_TRY(unknown(m, type.p, "unknown Zendesk metric event type"));
            continue;
        }
        if (cm__json_get(&e, "instance_id", &v) && !cm__json_int(&v, &x.instance))
            return ifail(m, v.p, "instance_id is an integer");
        if (x.metric == ZM_OTHER || x.type == ZT_OTHER)
            continue; /* known, and not needed to rebuild the ticket's events */
        if (entries != NULL)
            entries[k] = x;
        k++;
    }
    *n = k;
    return CM_OK;
}

/*
 * The events a ticket must have had for Zendesk to log these metric events
 * (docs/sla.md): reply_time activations are customer messages (instance 1
 * at creation excepted) and its fulfilments agent replies; requester wait
 * pauses are "pending", agent work pauses alone are "on-hold", resumptions
 * "open", fulfilments of the resolution clocks "solved".
 */
static cm_status zd_metric_events(imp *m, const json_value *root)
{
    json_value list;
    if (root->kind == JSON_ARRAY)
        list = *root;
    else if (!cm__json_get(root, "ticket_metric_events", &list) || list.kind != JSON_ARRAY)
        return ifail(m, root->p, "expected {\"ticket_metric_events\": [...]}");
    size_t n = 0;
    char ticket[ID_CAP];
    CM_TRY(zm_read(m, &list, NULL, &n, ticket));
    m->id = iraw(m, ticket, strlen(ticket));
    if (!m->fill) {
        /* At most: the creation, and per entry a message and a status change. */
        m->nscratch = 2 * n * sizeof(zm_entry);
        m->nev += 1 + 2 * n;
        return CM_OK;
    }
    zm_entry *e = (zm_entry *)m->scratch;
    CM_TRY(zm_read(m, &list, e, &n, ticket));
    msort(e, e + n, n, sizeof *e, zm_key);
    /* The creation: the first activation of a clock that starts with the ticket. */
    size_t first = n;
    for (size_t i = 0; i < n && first == n; i++) {
        if (e[i].type == ZT_ACTIVATE && e[i].instance <= 1 &&
            (e[i].metric == ZM_WAIT || e[i].metric == ZM_WORK || e[i].metric == ZM_RESOLUTION))
            first = i;
    }
    if (first == n)
        return ifail(m, root->p,
                     "no activation of requester_wait_time, agent_work_time or "
                     "resolution_time: cannot tell when the ticket was created");
    const cm_time created = e[first].at;
    if (e[0].at < created)
        return ifail(m, e[0].where, "a metric event precedes the ticket's creation");
    bool first_reply_at_creation = false;
    for (size_t i = 0; i < n; i++)
        first_reply_at_creation =
            first_reply_at_creation || (e[i].metric == ZM_REPLY && e[i].type == ZT_ACTIVATE &&
                                        e[i].instance == 1 && e[i].at == created);
    iev(m, created, CM_SLA_EVENT_CREATED, first_reply_at_creation ? 0 : CM_SLA_EVENT_BY_AGENT, 0,
        NULL, NULL, 0);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        bool wait_pause = false, work_pause = false, resume = false, solve = false;
        for (; j < n && e[j].at == e[i].at; j++) {
            const zm_entry *x = &e[j];
            if (x->metric == ZM_REPLY) {
                if (x->type == ZT_FULFILL)
                    iev(m, x->at, CM_SLA_EVENT_AGENT_REPLY, 0, 0, NULL, NULL, 0);
                else if (x->type == ZT_ACTIVATE && !(x->instance == 1 && x->at == created))
                    iev(m, x->at, CM_SLA_EVENT_CUSTOMER_REPLY, 0, 0, NULL, NULL, 0);
                continue;
            }
            if (x->type == ZT_FULFILL)
                solve = true;
            else if (x->type == ZT_PAUSE && x->metric == ZM_WAIT)
                wait_pause = true;
            else if (x->type == ZT_PAUSE)
                work_pause = true;
            else if (x->at != created)
                resume = true;
        }
        const cm_time at = e[i].at;
        if (solve)
            iev(m, at, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED, NULL, NULL, 0);
        else if (wait_pause)
            iev(m, at, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_PENDING, NULL, NULL, 0);
        else if (work_pause)
            iev(m, at, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_ON_HOLD, NULL, NULL, 0);
        else if (resume)
            iev(m, at, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_OPEN, NULL, NULL, 0);
        i = j;
    }
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Jira issues with their changelog                                       */
/* ---------------------------------------------------------------------- */

typedef struct jira_item {
    cm_time at;
    json_value item;
    json_value field; /* its "field", a string */
    bool first;       /* the earliest change of its field */
} jira_item;
_Static_assert(sizeof(jira_item) >= 2 * sizeof(size_t) && _Alignof(jira_item) >= _Alignof(size_t),
               "the indices of jira_mark_first fit in the second half of the scratch");

static cm_time jira_key(const void *p)
{
    return ((const jira_item *)p)->at;
}

/* Status names of Jira Service Management's default workflows, and Jira Software's. */
static const struct {
    const char *name;
    uint32_t category;
} jira_statuses[] = {
    {"Open", CM_SLA_STATUS_OPEN},
    {"To Do", CM_SLA_STATUS_NEW},
    {"New", CM_SLA_STATUS_NEW},
    {"Backlog", CM_SLA_STATUS_NEW},
    {"Reopened", CM_SLA_STATUS_OPEN},
    {"Waiting for support", CM_SLA_STATUS_OPEN},
    {"In Progress", CM_SLA_STATUS_OPEN},
    {"Work in progress", CM_SLA_STATUS_OPEN},
    {"Escalated", CM_SLA_STATUS_OPEN},
    {"Investigating", CM_SLA_STATUS_OPEN},
    {"Under investigation", CM_SLA_STATUS_OPEN},
    {"Under review", CM_SLA_STATUS_OPEN},
    {"Implementing", CM_SLA_STATUS_OPEN},
    {"Waiting for customer", CM_SLA_STATUS_PENDING},
    {"Pending", CM_SLA_STATUS_PENDING},
    {"Waiting for approval", CM_SLA_STATUS_ON_HOLD},
    {"Awaiting approval", CM_SLA_STATUS_ON_HOLD},
    {"On hold", CM_SLA_STATUS_ON_HOLD},
    {"Awaiting implementation", CM_SLA_STATUS_ON_HOLD},
    {"Resolved", CM_SLA_STATUS_SOLVED},
    {"Done", CM_SLA_STATUS_SOLVED},
    {"Completed", CM_SLA_STATUS_SOLVED},
    {"Canceled", CM_SLA_STATUS_SOLVED},
    {"Cancelled", CM_SLA_STATUS_SOLVED},
    {"Declined", CM_SLA_STATUS_SOLVED},
    {"Closed", CM_SLA_STATUS_CLOSED},
};

/* A status event for a Jira status name (the caller's table first, then ours). */
static cm_status jira_status(imp *m, cm_time at, const json_value *name)
{
    if (name->kind != JSON_STRING)
        return ifail(m, name->p, "a status is a name");
    if (!m->fill) {
        /* Sizing: the name is looked up when filling, where only the statuses
         * the ticket had count (not the "from" side of later changes). */
        iev(m, at, CM_SLA_EVENT_STATUS, 0, 0, istr(m, name), NULL, 0);
        return CM_OK;
    }
    int64_t cat = -1;
    const cm_sla_import_options *o = m->opt;
    for (size_t i = 0; o != NULL && i < o->nstatuses && cat < 0; i++) {
        if (cm__json_eq(name, o->status_names[i]))
            cat = o->status_categories[i];
    }
    for (size_t i = 0; i < sizeof jira_statuses / sizeof jira_statuses[0] && cat < 0; i++) {
        if (cm__json_eq(name, jira_statuses[i].name))
            cat = jira_statuses[i].category;
    }
    if (cat < 0)
        return ifail(m, name->p,
                     "unknown Jira status: give its category in the import "
                     "options");
    iev(m, at, CM_SLA_EVENT_STATUS, 0, (uint32_t)cat, istr(m, name), NULL, 0);
    return CM_OK;
}

/* A user's id: accountId (Cloud), else key or name (Data Center), into buf. */
static bool jira_user(const json_value *user, char *buf, size_t cap)
{
    static const char *const keys[] = {"accountId", "key", "name"};
    json_value v;
    buf[0] = '\0';
    if (user->kind != JSON_OBJECT)
        return false;
    for (size_t i = 0; i < 3; i++) {
        if (cm__json_get(user, keys[i], &v) && v.kind == JSON_STRING)
            return id_text(&v, buf, cap);
    }
    return false;
}

/* The field name of a changelog item, mapped (issuetype is type). */
static const char *jira_name(imp *m, const json_value *field)
{
    if (cm__json_eq(field, "issuetype"))
        return "type";
    if (cm__json_eq(field, "priority"))
        return "priority";
    return istr(m, field);
}

/* The value of an item's side: "to"/"toString" or "from"/"fromString". */
static cm_status jira_side(imp *m, cm_time at, const char *name, const json_value *item, bool to)
{
    json_value v;
    const bool ids = strcmp(name, "assignee") == 0 || strcmp(name, "reporter") == 0;
    /* Names read better than ids, except for people (display names change). */
    const char *first = ids ? (to ? "to" : "from") : (to ? "toString" : "fromString");
    const char *second = ids ? (to ? "toString" : "fromString") : (to ? "to" : "from");
    if (!(cm__json_get(item, first, &v) && v.kind != JSON_NULL) &&
        !(cm__json_get(item, second, &v) && v.kind != JSON_NULL))
        v = (json_value){"null", 4, JSON_NULL};
    if (v.kind != JSON_STRING && v.kind != JSON_NULL)
        return ifail(m, v.p, "a changelog value is a string or null");
    return attr_event(m, at, name, &v);
}

static cm_status jira_item_event(imp *m, cm_time at, const json_value *item, bool to)
{
    json_value field, v;
    CM_TRY(need(m, item, "field", K(JSON_STRING), &field, "a changelog item has a field"));
    if (cm__json_eq(&field, "status")) {
        if (!cm__json_get(item, to ? "toString" : "fromString", &v))
            return ifail(m, item->p, "a status change has fromString and toString");
        return jira_status(m, at, &v);
    }
    if (cm__json_eq(&field, "labels")) {
        const char *text = "";
        if (cm__json_get(item, to ? "toString" : "fromString", &v) && v.kind == JSON_STRING)
            text = istr(m, &v);
        iev(m, at, CM_SLA_EVENT_TAGS, 0, 0, NULL, text, 0);
        return CM_OK;
    }
    const char *name = jira_name(m, &field);
    if (m->fill && name[0] == '\0')
        return ifail(m, field.p, "a changelog field is not empty");
    return jira_side(m, at, name, item, to);
}

/* Reads every changelog item (with its history's instant). */
static cm_status jira_items(imp *m, const json_value *histories, jira_item *items, size_t *n)
{
    json_iter hi, ii;
    json_value h, t, list, it;
    size_t k = 0;
    cm__json_iter(histories, &hi);
    while (cm__json_next(&hi, NULL, &h)) {
        cm_time at;
        if (h.kind != JSON_OBJECT)
            return ifail(m, h.p, "a changelog history is an object");
        CM_TRY(need(m, &h, "created", K(JSON_STRING), &t, "a changelog history has a created"));
        CM_TRY(itime(m, &t, &at));
        CM_TRY(need(m, &h, "items", K(JSON_ARRAY), &list, "a changelog history has items"));
        cm__json_iter(&list, &ii);
        while (cm__json_next(&ii, NULL, &it)) {
            json_value field;
            if (it.kind != JSON_OBJECT)
                return ifail(m, it.p, "a changelog item is an object");
            CM_TRY(need(m, &it, "field", K(JSON_STRING), &field, "a changelog item has a field"));
            if (items != NULL)
                items[k] = (jira_item){at, it, field, false};
            k++;
        }
    }
    *n = k;
    return CM_OK;
}

/* A field's name to compare: decoded when it has escapes and is short, else the bytes
 * between its quotes. */
static const char *field_text(const json_value *f, char buf[256], size_t *n)
{
    if (f->len < 256 && memchr(f->p, '\\', f->len) != NULL) {
        *n = cm__json_decode(f, buf);
        return buf;
    }
    *n = f->len - 2;
    return f->p + 1;
}

static int field_cmp(const jira_item *a, const jira_item *b)
{
    char x[256], y[256];
    size_t nx, ny;
    const char *p = field_text(&a->field, x, &nx), *q = field_text(&b->field, y, &ny);
    const int c = memcmp(p, q, nx < ny ? nx : ny);
    return c != 0 ? c : (nx > ny) - (nx < ny);
}

/*
 * Marks the earliest change of each field among items in time order: a
 * stable merge sort of their indices by field (in `idx`, with `tmp` as
 * large), then the first of each run. O(n log n), whatever the fields.
 */
static void jira_mark_first(jira_item *items, size_t n, size_t *idx, size_t *tmp)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    size_t *a = idx, *b = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            const size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                b[k++] = field_cmp(&items[a[j]], &items[a[i]]) < 0 ? a[j++] : a[i++];
            while (i < mid)
                b[k++] = a[i++];
            while (j < hi)
                b[k++] = a[j++];
        }
        size_t *x = a;
        a = b;
        b = x;
    }
    for (size_t k = 0; k < n; k++)
        items[a[k]].first = k == 0 || field_cmp(&items[a[k]], &items[a[k - 1]]) != 0;
}

static cm_status jira_issue(imp *m, const json_value *root)
{
    json_value fields, v, t, changelog, histories;
    if (root->kind != JSON_OBJECT)
        return ifail(m, root->p,
                     "expected a Jira issue: {\"key\": ..., \"fields\": {...}, "
                     "\"changelog\": {...}}");
    CM_TRY(need(m, root, "fields", K(JSON_OBJECT), &fields, "a Jira issue has fields"));
    m->id = cm__json_get(root, "key", &v) && v.kind == JSON_STRING ? istr(m, &v) : "";
    CM_TRY(need(m, &fields, "created", K(JSON_STRING), &t, "an issue's fields have created"));
    cm_time created;
    CM_TRY(itime(m, &t, &created));
    histories = (json_value){"[]", 2, JSON_ARRAY};
    if (cm__json_get(root, "changelog", &changelog)) {
        if (changelog.kind != JSON_OBJECT ||
            !(cm__json_get(&changelog, "histories", &histories) ||
              cm__json_get(&changelog, "values", &histories)) ||
            histories.kind != JSON_ARRAY)
            return ifail(m, changelog.p, "a changelog has a list of histories");
    }
    char reporter[ID_CAP] = "", creator[ID_CAP] = "";
    if (cm__json_get(&fields, "reporter", &v))
        (void)jira_user(&v, reporter, sizeof reporter);
    if (cm__json_get(&fields, "creator", &v))
        (void)jira_user(&v, creator, sizeof creator);
    const bool by_agent = creator[0] != '\0' && reporter[0] != '\0' && strcmp(creator, reporter);
    iev(m, created, CM_SLA_EVENT_CREATED, by_agent ? CM_SLA_EVENT_BY_AGENT : 0, 0, NULL, NULL, 0);

    size_t n = 0;
    CM_TRY(jira_items(m, &histories, NULL, &n));
    jira_item *items = NULL;
    if (m->fill) {
        items = (jira_item *)m->scratch;
        CM_TRY(jira_items(m, &histories, items, &n));
        msort(items, items + n, n, sizeof *items, jira_key);
        /* The sort's half of the scratch is free again: the indices go there. */
        size_t *idx = (size_t *)(void *)(items + n);
        jira_mark_first(items, n, idx, idx + n);
    } else {
        m->nscratch = 2 * n * sizeof(jira_item);
    }
    /*
     * The fields hold today's values: a field's value at creation is the
     * "from" side of its earliest change, or today's value if it never
     * changed. Every change is then an event of its own.
     */
    static const char *const standard[] = {"status", "priority", "issuetype", "labels"};
    for (size_t s = 0; s < 4; s++) {
        bool changed = false;
        for (size_t i = 0; m->fill && i < n && !changed; i++)
            changed = cm__json_eq(&items[i].field, standard[s]);
        if (!m->fill) {
            m->nev++; /* sized for either case */
            m->nbytes += fields.len;
            continue;
        }
        if (changed)
            continue; /* from the earliest item below */
        if (!cm__json_get(&fields, standard[s], &v) || v.kind == JSON_NULL)
            continue;
        if (s == 0) {
            json_value name;
            CM_TRY(need(m, &v, "name", K(JSON_STRING), &name, "a status has a name"));
            CM_TRY(jira_status(m, created, &name));
        } else if (s == 3) {
            const char *text = "";
            if (v.kind != JSON_ARRAY || !ijoin(m, &v, &text))
                return ifail(m, v.p, "labels are a list of strings");
            iev(m, created, CM_SLA_EVENT_TAGS, 0, 0, NULL, text, 0);
        } else {
            json_value name;
            CM_TRY(need(m, &v, "name", K(JSON_STRING), &name, "a priority or type has a name"));
            CM_TRY(attr_event(m, created, s == 1 ? "priority" : "type", &name));
        }
    }
    for (size_t i = 0; i < n || (!m->fill && i == 0); i++) {
        if (!m->fill) {
            /* Sizing: every item may also give a value at creation. */
            json_iter hi, ii;
            json_value h, list, it;
            cm__json_iter(&histories, &hi);
            while (cm__json_next(&hi, NULL, &h)) {
                if (cm__json_get(&h, "items", &list)) {
                    cm__json_iter(&list, &ii);
                    while (cm__json_next(&ii, NULL, &it)) {
                        CM_TRY(jira_item_event(m, created, &it, false));
                        CM_TRY(jira_item_event(m, created, &it, true));
                    }
                }
            }
            break;
        }
        if (items[i].at < created)
            return ifail(m, items[i].item.p, "a change precedes the issue's creation");
        if (items[i].first)
            CM_TRY(jira_item_event(m, created, &items[i].item, false));
        CM_TRY(jira_item_event(m, items[i].at, &items[i].item, true));
    }
    /* Comments: public ones are replies (the reporter's are the customer's). */
    json_value comment, comments, c;
    if (cm__json_get(&fields, "comment", &comment) && comment.kind != JSON_NULL) {
        CM_TRY(need(m, &comment, "comments", K(JSON_ARRAY), &comments,
                    "a comment field has a list of comments"));
        json_iter ci;
        cm__json_iter(&comments, &ci);
        while (cm__json_next(&ci, NULL, &c)) {
            if (c.kind != JSON_OBJECT)
                return ifail(m, c.p, "a comment is an object");
            cm_time at;
            CM_TRY(need(m, &c, "created", K(JSON_STRING), &t, "a comment has a created"));
            CM_TRY(itime(m, &t, &at));
            if (at < created)
                return ifail(m, c.p, "a comment precedes the issue's creation");
            bool pub = true;
            if (cm__json_get(&c, "jsdPublic", &v)) {
                if (v.kind != JSON_TRUE && v.kind != JSON_FALSE)
                    return ifail(m, v.p, "jsdPublic is true or false");
                pub = v.kind == JSON_TRUE;
            }
            char who[ID_CAP] = "";
            if (cm__json_get(&c, "author", &v))
                (void)jira_user(&v, who, sizeof who);
            const bool customer = reporter[0] != '\0' && strcmp(who, reporter) == 0;
            iev(m, at,
                !pub       ? CM_SLA_EVENT_AGENT_NOTE
                : customer ? CM_SLA_EVENT_CUSTOMER_REPLY
                           : CM_SLA_EVENT_AGENT_REPLY,
                0, 0, NULL, NULL, 0);
        }
    }
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Driver                                                                 */
/* ---------------------------------------------------------------------- */

/* Stable bottom-up merge sort by a time key, with a scratch array as large. */
static void msort(void *base, void *tmp, size_t n, size_t size, cm_time (*key)(const void *))
{
    unsigned char *a = base, *b = tmp;
    bool in_tmp = false;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            const size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                const bool right = key(a + j * size) < key(a + i * size);
                memcpy(b + k++ * size, a + (right ? j++ : i++) * size, size);
            }
            while (i < mid)
                memcpy(b + k++ * size, a + i++ * size, size);
            while (j < hi)
                memcpy(b + k++ * size, a + j++ * size, size);
        }
        unsigned char *x = a;
        a = b;
        b = x;
        in_tmp = !in_tmp;
    }
    if (in_tmp)
        memcpy(base, tmp, n * size);
}

static cm_time event_key(const void *p)
{
    return ((const cm_sla_ticket_event *)p)->event.at;
}

static cm_status run_format(imp *m, uint32_t format, const json_value *root)
{
    switch (format) {
    case CM_SLA_IMPORT_ZENDESK_AUDITS:
        return zd_audits(m, root);
    case CM_SLA_IMPORT_ZENDESK_METRIC_EVENTS:
        return zd_metric_events(m, root);
    default:
        return jira_issue(m, root);
    }
}

static bool options_ok(const cm_sla_import_options *o)
{
    if (o == NULL)
        return true;
    if ((o->flags & ~CM_SLA_IMPORT_SKIP_UNKNOWN) != 0 || o->reserved != 0)
        return false;
    if (o->nstatuses > 0 && (o->status_names == NULL || o->status_categories == NULL))
        return false;
    for (size_t i = 0; i < o->nstatuses; i++) {
        if (o->status_names[i] == NULL || o->status_names[i][0] == '\0' ||
            o->status_categories[i] >= CM_SLA_STATUS_COUNT)
            return false;
    }
    return true;
}

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

cm_status cm_sla_import(uint32_t format, const char *json, size_t len,
                        const cm_sla_import_options *options, const cm_allocator *alloc,
                        cm_sla_ticket **out, cm_parse_error *err)
{
    CM_REQUIRE(json != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    CM_REQUIRE(format >= CM_SLA_IMPORT_ZENDESK_AUDITS && format <= CM_SLA_IMPORT_JIRA_ISSUE,
               CM_EINVAL);
    CM_REQUIRE(options_ok(options), CM_EINVAL);
    imp m;
    memset(&m, 0, sizeof m);
    m.json = json;
    m.len = len;
    m.opt = options;
    json_value root;
    size_t at = 0;
    const char *message = NULL;
    cm_status st = CM_OK;
    if (!cm__json_parse(json, len, &root, &at, &message)) {
        st = ifail(&m, json + at, message);
    } else {
        st = run_format(&m, format, &root); /* sizing */
    }
    if (st == CM_OK && m.nev == 0)
        st = ifail(&m, json, "no events");
    if (st != CM_OK) {
        if (err != NULL)
            *err = m.err;
        return st;
    }
    /* One block: ticket, events, the sort's scratch (the events again or the
     * importer's entries, whichever is larger), strings. */
    const size_t nev = m.nev, nbytes = m.nbytes + 1;
    const size_t scratch = nev * sizeof(cm_sla_ticket_event) > m.nscratch
                               ? nev * sizeof(cm_sla_ticket_event)
                               : m.nscratch;
    const size_t off_ev = ALIGN8(sizeof(cm_sla_ticket));
    const size_t off_scratch = off_ev + ALIGN8(nev * sizeof(cm_sla_ticket_event));
    const size_t off_str = off_scratch + ALIGN8(scratch);
    unsigned char *block = cm__alloc(alloc, off_str + nbytes);
    CM_REQUIRE(block != NULL, CM_ENOMEM);
    imp f;
    memset(&f, 0, sizeof f);
    f.json = json;
    f.len = len;
    f.opt = options;
    f.fill = true;
    f.ev = (cm_sla_ticket_event *)(void *)(block + off_ev);
    f.scratch = block + off_scratch;
    f.str = (char *)(block + off_str);
    st = run_format(&f, format, &root);
    if (st == CM_OK) {
        msort(f.ev, f.scratch, f.nev, sizeof *f.ev, event_key);
        /* Nothing may precede the creation (an evaluation would refuse the log); entries
         * at its instant that an export lists before it come after it. */
        for (size_t i = 0; i < f.nev && st == CM_OK; i++) {
            if (f.ev[i].event.type != CM_SLA_EVENT_CREATED)
                continue;
            if (f.ev[i].event.at != f.ev[0].event.at) {
                st = ifail(&f, json, "an entry precedes the ticket's creation");
            } else if (i > 0) {
                const cm_sla_ticket_event created = f.ev[i];
                memmove(f.ev + 1, f.ev, i * sizeof *f.ev);
                f.ev[0] = created;
            }
        }
    }
    if (st != CM_OK) {
        cm__free(alloc, block);
        if (err != NULL && st == CM_EPARSE)
            *err = f.err;
        return st;
    }
    cm_sla_ticket *t = (cm_sla_ticket *)(void *)block;
    memset(t, 0, sizeof *t);
    if (alloc != NULL) {
        t->alloc = *alloc;
        t->own_alloc = true;
    }
    t->events = f.ev;
    t->nevents = f.nev;
    t->id = f.id;
    t->skipped = f.skipped;
    *out = t;
    return CM_OK;
}

void cm_sla_ticket_free(cm_sla_ticket *ticket)
{
    if (ticket == NULL)
        return;
    if (ticket->own_alloc) {
        const cm_allocator a = ticket->alloc;
        cm__free(&a, ticket);
    } else {
        cm__free(NULL, ticket);
    }
}

cm_status cm_sla_ticket_events(const cm_sla_ticket *ticket, const cm_sla_ticket_event **events,
                               size_t *n)
{
    CM_REQUIRE(ticket != NULL && events != NULL && n != NULL, CM_EINVAL);
    *events = ticket->events;
    *n = ticket->nevents;
    return CM_OK;
}

cm_status cm_sla_ticket_info(const cm_sla_ticket *ticket, const char **id, size_t *skipped)
{
    CM_REQUIRE(ticket != NULL, CM_EINVAL);
    if (id != NULL)
        *id = ticket->id;
    if (skipped != NULL)
        *skipped = ticket->skipped;
    return CM_OK;
}
