/*
 * core_test.c: drives the native core through the committed header against a
 * running exo-emulator: connect -> invoke -> page through -> free, device code
 * sign-in, refresh-token export, and a bad-input corpus of >= 50 named,
 * counted cases ("case N: name", then "bad-input corpus: N cases"): NULL
 * everywhere, bad UTF-8 and UTF-16 (lone surrogates), empty and 10 MB
 * strings, malformed and deeply nested JSON, wrong types and unknown keys in
 * options and requests, use after disconnect, double cancel, cancel after
 * done, zero-length buffers, the wrong kind of handle. Each must give an
 * error result, never a crash. Every object is freed, so valgrind's leak
 * check stays clean.
 *
 * Inputs come from the environment (tools/CTest.psm1 sets them from
 * the emulator's start line):
 *   EXO_URL             emulator base URL (http://127.0.0.1:PORT)
 *   EXO_TENANT          a customer tenant id
 *   EXO_MAILBOXES       mailboxes per customer tenant (for the page count)
 *   EXO_APP_ID          confidential application id
 *   EXO_CLIENT_SECRET   its secret
 *   EXO_REFRESH_TOKEN   partner refresh token issued to EXO_APP_ID
 *   EXO_PUBLIC_CLIENT_ID public client id (device code sign-in)
 *   EXO_PARTNER_TENANT  partner tenant id (device code sign-in)
 *
 * Output ends with "N passed, N failed"; the exit code is 0 only when none failed.
 */
#include "exo_bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (cond) {                                                              \
            passed++;                                                            \
        } else {                                                                 \
            failed++;                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                 \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

static const char *env(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "missing environment variable %s\n", name);
        exit(2);
    }
    return v;
}

/* UTF-8 (ASCII here) to a freshly allocated UTF-16 buffer. */
static uint16_t *utf16(const char *s, size_t *len) {
    size_t n = strlen(s);
    uint16_t *u = malloc((n + 1) * sizeof *u);
    for (size_t i = 0; i < n; i++) u[i] = (unsigned char)s[i];
    u[n] = 0;
    *len = n;
    return u;
}

/* Expect `got` == `want`; print and free the error either way. The error is
 * passed by address: C leaves argument evaluation order unspecified, so it is
 * read here, after the call that sets it. */
static void expect(const char *what, exo_result got, exo_result want, exo_error **errp) {
    exo_error *err = *errp;
    *errp = NULL;
    CHECK(got == want, "%s: got %s, want %s (%s)", what, exo_result_name(got), exo_result_name(want),
          err ? exo_error_message(err) : "no error object");
    if (got != EXO_RESULT_OK) {
        CHECK(err != NULL, "%s: failure without an error object", what);
        if (err) {
            CHECK(exo_error_code(err) == got, "%s: error code differs from result", what);
            CHECK(exo_error_json(err) != NULL && exo_error_json(err)[0] == '{', "%s: error json", what);
        }
    } else {
        CHECK(err == NULL, "%s: success with an error object", what);
    }
    exo_error_free(err);
}

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static char options[4096];

static const char *opts(const char *tenant, const char *app, const char *extra) {
    snprintf(options, sizeof options,
             "{\"tenantId\":\"%s\",\"applicationId\":\"%s\",\"authorityHost\":\"%s\",\"exchangeHost\":\"%s\","
             "\"maxRetryWaitMs\":200%s}",
             tenant, app, env("EXO_URL"), env("EXO_URL"), extra ? extra : "");
    return options;
}

static exo_connection *connect_rt(const char *extra) {
    size_t rl, sl;
    uint16_t *rt = utf16(env("EXO_REFRESH_TOKEN"), &rl);
    uint16_t *cs = utf16(env("EXO_CLIENT_SECRET"), &sl);
    exo_connection *conn = NULL;
    exo_error *err = NULL;
    exo_result r = exo_connect(opts(env("EXO_TENANT"), env("EXO_APP_ID"), extra), rt, rl, cs, sl, NULL, 0, &conn, &err);
    expect("connect with refresh token + secret", r, EXO_RESULT_OK, &err);
    memset(rt, 0, rl * 2);
    memset(cs, 0, sl * 2);
    free(rt);
    free(cs);
    return conn;
}

/* connect -> invoke -> page through -> free */
static void happy_path(void) {
    exo_connection *conn = connect_rt(NULL);
    if (!conn) return;

    char *info = NULL;
    exo_error *err = NULL;
    expect("info", exo_connection_info(conn, &info, &err), EXO_RESULT_OK, &err);
    if (info) {
        CHECK(strstr(info, env("EXO_TENANT")) != NULL, "info names the tenant: %s", info);
        CHECK(strstr(info, env("EXO_REFRESH_TOKEN")) == NULL, "info must not hold the refresh token");
        CHECK(strstr(info, env("EXO_CLIENT_SECRET")) == NULL, "info must not hold the secret");
        exo_string_free(info);
    }

    exo_cursor *cur = NULL;
    err = NULL;
    exo_result r = exo_invoke(conn,
                              "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"ResultSize\":\"Unlimited\"},"
                              "\"select\":[\"Guid\",\"DisplayName\"],\"pageSize\":7}",
                              &cur, &err);
    expect("invoke Get-Mailbox", r, EXO_RESULT_OK, &err);
    size_t records = 0, pages = 0;
    int more = 1;
    while (cur && more && pages < 10000) {
        char *page = NULL;
        err = NULL;
        r = exo_cursor_next(cur, &page, &err);
        if (r != EXO_RESULT_OK) {
            expect("cursor next", r, EXO_RESULT_OK, &err);
            break;
        }
        pages++;
        records += count(page, "\"Guid\":");
        more = strstr(page, "\"more\":true") != NULL;
        exo_string_free(page);
    }
    size_t want = (size_t)atol(env("EXO_MAILBOXES"));
    CHECK(records == want, "paged %zu records, want %zu", records, want);
    CHECK(pages == (want + 6) / 7, "paged %zu pages, want %zu", pages, (want + 6) / 7);
    /* After the end: empty page, more false. */
    if (cur) {
        char *page = NULL;
        err = NULL;
        expect("next after the end", exo_cursor_next(cur, &page, &err), EXO_RESULT_OK, &err);
        CHECK(page && strstr(page, "\"value\":[]") && strstr(page, "\"more\":false"), "empty last page: %s",
              page ? page : "(null)");
        exo_string_free(page);
    }
    exo_cursor_free(cur);

    /* Refresh token export: size query, too small, then right size. */
    size_t needed = 0;
    err = NULL;
    expect("export size query", exo_connection_export_refresh_token(conn, NULL, 0, &needed, &err),
           EXO_RESULT_BUFFER_TOO_SMALL, &err);
    CHECK(needed > 0, "needed reported");
    uint16_t small[4];
    err = NULL;
    expect("export into a small buffer", exo_connection_export_refresh_token(conn, small, 4, &needed, &err),
           EXO_RESULT_BUFFER_TOO_SMALL, &err);
    uint16_t *buf = calloc(needed + 1, sizeof *buf);
    err = NULL;
    expect("export", exo_connection_export_refresh_token(conn, buf, needed + 1, &needed, &err), EXO_RESULT_OK, &err);
    CHECK(buf[needed] == 0, "export terminates when room is left");
    /* The newest token of the credential across connections: one connection open, so its own. */
    {
        size_t newest_len = 0;
        err = NULL;
        expect("export newest size query", exo_connection_export_newest_refresh_token(conn, NULL, 0, &newest_len, &err),
               EXO_RESULT_BUFFER_TOO_SMALL, &err);
        uint16_t *newest = calloc(newest_len + 1, sizeof *newest);
        err = NULL;
        expect("export newest", exo_connection_export_newest_refresh_token(conn, newest, newest_len + 1, &newest_len, &err),
               EXO_RESULT_OK, &err);
        CHECK(newest_len == needed && memcmp(newest, buf, needed * 2) == 0, "newest = the only connection's token");
        memset(newest, 0, (newest_len + 1) * 2);
        free(newest);
    }
    memset(buf, 0, (needed + 1) * 2);
    free(buf);

    /* Cancel, then next: CANCELLED. */
    cur = NULL;
    err = NULL;
    expect("invoke for cancel", exo_invoke(conn, "{\"cmdlet\":\"Get-Recipient\"}", &cur, &err), EXO_RESULT_OK, &err);
    exo_cursor_cancel(cur);
    char *page = NULL;
    err = NULL;
    expect("next after cancel", exo_cursor_next(cur, &page, &err), EXO_RESULT_CANCELLED, &err);
    CHECK(page == NULL, "no page after cancel");
    exo_cursor_free(cur);

    /* A cursor outlives its freed connection handle. */
    cur = NULL;
    err = NULL;
    expect("invoke before free", exo_invoke(conn, "{\"cmdlet\":\"Get-Mailbox\",\"pageSize\":1}", &cur, &err),
           EXO_RESULT_OK, &err);
    exo_connection_free(conn);
    page = NULL;
    err = NULL;
    expect("next after the connection handle was freed", exo_cursor_next(cur, &page, &err), EXO_RESULT_OK, &err);
    exo_string_free(page);
    exo_cursor_free(cur);
}

static void device_code(void) {
    exo_device_flow *flow = NULL;
    exo_error *err = NULL;
    exo_result r = exo_device_code_start(opts(env("EXO_PARTNER_TENANT"), env("EXO_PUBLIC_CLIENT_ID"), NULL), &flow, &err);
    expect("device code start", r, EXO_RESULT_OK, &err);
    if (!flow) return;
    const char *msg = exo_device_flow_message_json(flow);
    CHECK(msg && strstr(msg, "userCode"), "device message: %s", msg ? msg : "(null)");
    exo_connection *conn = NULL;
    int pending = 0;
    for (int i = 0; i < 60; i++) {
        err = NULL;
        r = exo_device_flow_wait(flow, 500, &conn, &err);
        if (r == EXO_RESULT_PENDING) {
            pending++;
            exo_error_free(err);
            continue;
        }
        expect("device code wait", r, EXO_RESULT_OK, &err);
        break;
    }
    CHECK(conn != NULL, "device code gave a connection");
    CHECK(pending > 0, "device code was pending at first");
    if (conn) {
        size_t needed = 0;
        err = NULL;
        expect("device code refresh token size", exo_connection_export_refresh_token(conn, NULL, 0, &needed, &err),
               EXO_RESULT_BUFFER_TOO_SMALL, &err);
        CHECK(needed > 0, "device code yields a refresh token");
        char *info = NULL;
        err = NULL;
        expect("device connection info", exo_connection_info(conn, &info, &err), EXO_RESULT_OK, &err);
        CHECK(info && strstr(info, "\"refreshTokenRotated\":true"), "device refresh token marked: %s", info ? info : "");
        exo_string_free(info);
    }
    /* Waiting again after success is refused, not a crash. */
    exo_connection *again = NULL;
    err = NULL;
    expect("wait after success", exo_device_flow_wait(flow, 0, &again, &err), EXO_RESULT_INVALID_HANDLE, &err);
    exo_connection_free(conn);
    exo_device_flow_free(flow);
}

static char *big_string(size_t n, char fill) {
    char *s = malloc(n + 1);
    memset(s, fill, n);
    s[n] = 0;
    return s;
}

/* `depth` opening brackets, then closing ones: deeply nested JSON. */
static char *nested(const char *prefix, size_t depth, const char *suffix) {
    size_t pl = strlen(prefix), sl = strlen(suffix);
    char *s = malloc(pl + 2 * depth + sl + 1);
    memcpy(s, prefix, pl);
    memset(s + pl, '[', depth);
    memset(s + pl + depth, ']', depth);
    memcpy(s + pl + 2 * depth, suffix, sl + 1);
    return s;
}

/* The bad-input corpus: every case is named and counted ("case N: name");
 * each must give an error result (never OK, never PANIC, never a crash), with
 * an error object whose code matches, and no out-parameter written. */
static int cases;
#define CASE(name) printf("  case %d: %s\n", ++cases, (name))

/* Any error will do (the exact code is the service's or the platform's call),
 * as long as it is an error with a consistent error object and not a panic. */
static void expect_error(const char *what, exo_result got, exo_error **errp) {
    exo_error *err = *errp;
    *errp = NULL;
    CHECK(got != EXO_RESULT_OK && got != EXO_RESULT_PANIC, "%s: got %s, want an error", what, exo_result_name(got));
    CHECK(err != NULL && exo_error_code(err) == got, "%s: error object", what);
    if (err) {
        const char *m = exo_error_message(err);
        CHECK(m != NULL && strlen(m) > 0 && strlen(m) < 4096, "%s: a short, non-empty message", what);
    }
    exo_error_free(err);
}

static void bad_inputs(void) {
    exo_connection *conn = NULL;
    exo_error *err = NULL;
    const char *tenant = env("EXO_TENANT"), *app = env("EXO_APP_ID");
    size_t sl;
    uint16_t *cs = utf16(env("EXO_CLIENT_SECRET"), &sl);
    size_t rl;
    uint16_t *rt = utf16(env("EXO_REFRESH_TOKEN"), &rl);
    char json[8192];

#define CONNECT_ALL(what, jsn, r16, r16l, s16, s16l, a16, a16l, want)                        \
    do {                                                                                   \
        CASE(what);                                                                        \
        conn = NULL;                                                                       \
        err = NULL;                                                                        \
        exo_result r_ = exo_connect(jsn, r16, r16l, s16, s16l, a16, a16l, &conn, &err);    \
        expect(what, r_, want, &err);                                                      \
        CHECK(r_ == EXO_RESULT_OK || conn == NULL, "%s: out written on failure", what);    \
        exo_connection_free(conn);                                                         \
    } while (0)
#define CONNECT(what, jsn, r16, r16l, s16, s16l, want) CONNECT_ALL(what, jsn, r16, r16l, s16, s16l, NULL, 0, want)
#define OPTS_RAW(fmt, ...) (snprintf(json, sizeof json, fmt, __VA_ARGS__), json)

    /* --- connect: options_json --- */
    CONNECT("connect: NULL options", NULL, rt, rl, cs, sl, EXO_RESULT_NULL_PARAMETER);
    CONNECT("connect: bad UTF-8 in options (0xff 0xfe)", "{\"tenantId\":\"\xff\xfe\"}", rt, rl, cs, sl, EXO_RESULT_INVALID_UTF8);
    CONNECT("connect: overlong UTF-8 encoding (0xc0 0xaf)", "{\"tenantId\":\"\xc0\xaf\"}", rt, rl, cs, sl, EXO_RESULT_INVALID_UTF8);
    CONNECT("connect: UTF-8-encoded surrogate (0xed 0xa0 0x80)", "{\"tenantId\":\"\xed\xa0\x80\"}", rt, rl, cs, sl, EXO_RESULT_INVALID_UTF8);
    CONNECT("connect: truncated multi-byte sequence at the end", "{\"tenantId\":\"\xe2\x82", rt, rl, cs, sl, EXO_RESULT_INVALID_UTF8);
    CONNECT("connect: empty options string", "", rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    char *ten_mb = big_string(10 * 1024 * 1024, 'a');
    CONNECT("connect: 10 MB options of garbage", ten_mb, rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    ten_mb[0] = '{';
    ten_mb[1] = '"';
    CONNECT("connect: 10 MB unterminated key", ten_mb, rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: malformed JSON (cut off)", "{\"tenantId\":", rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: JSON array instead of an object", "[1,2]", rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: JSON null", "null", rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: byte-order mark before the JSON", OPTS_RAW("\xef\xbb\xbf{\"tenantId\":\"%s\",\"applicationId\":\"%s\"}", tenant, app),
            rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: trailing garbage after the JSON", OPTS_RAW("{\"tenantId\":\"%s\",\"applicationId\":\"%s\"} x", tenant, app), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    {
        char *deep = nested("", 100000, "");
        CONNECT("connect: JSON nested 100,000 deep", deep, rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
        free(deep);
        deep = nested("{\"tenantId\":", 5000, "}");
        CONNECT("connect: option value nested 5,000 deep", deep, rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
        free(deep);
    }
    CONNECT("connect: unknown option (clientSecret in options)", opts(tenant, app, ",\"clientSecret\":\"x\""), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: unknown option differing only in case (tenantid)",
            OPTS_RAW("{\"tenantid\":\"%s\",\"applicationId\":\"%s\"}", tenant, app), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    {
        char *longkey = big_string(10000, 'k');
        char *j = malloc(10100);
        snprintf(j, 10100, "{\"%s\":1}", longkey);
        CONNECT("connect: unknown option with a 10,000-character name", j, rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
        free(j);
        free(longkey);
    }
    CONNECT("connect: missing tenantId", "{\"applicationId\":\"11111111-2222-3333-4444-555555555555\"}", rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: tenantId of the wrong type (number)", OPTS_RAW("{\"tenantId\":42,\"applicationId\":\"%s\"}", app), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: applicationId null", OPTS_RAW("{\"tenantId\":\"%s\",\"applicationId\":null}", tenant), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: applicationId not a GUID", opts(tenant, "not-a-guid", NULL), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: tenantId with a slash", opts("a/b", app, NULL), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: tenantId with a space", opts("con toso.onmicrosoft.com", app, NULL), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: http:// exchangeHost on a non-loopback host",
            OPTS_RAW("{\"tenantId\":\"%s\",\"applicationId\":\"%s\",\"exchangeHost\":\"http://outlook.office365.com\"}", tenant, app), rt, rl,
            cs, sl, EXO_RESULT_INSECURE_ENDPOINT);
    CONNECT("connect: http:// authorityHost on a private address",
            OPTS_RAW("{\"tenantId\":\"%s\",\"applicationId\":\"%s\",\"authorityHost\":\"http://10.1.2.3\"}", tenant, app), rt, rl, cs, sl,
            EXO_RESULT_INSECURE_ENDPOINT);
    CONNECT("connect: http:// to localhost.evil.example (not loopback)",
            OPTS_RAW("{\"tenantId\":\"%s\",\"applicationId\":\"%s\",\"exchangeHost\":\"http://localhost.evil.example\"}", tenant, app), rt, rl,
            cs, sl, EXO_RESULT_INSECURE_ENDPOINT);
    CONNECT("connect: ftp:// authorityHost",
            OPTS_RAW("{\"tenantId\":\"%s\",\"applicationId\":\"%s\",\"authorityHost\":\"ftp://127.0.0.1\"}", tenant, app), rt, rl, cs, sl,
            EXO_RESULT_INSECURE_ENDPOINT);
    CONNECT("connect: exchangeHost not a URL", opts(tenant, app, ",\"exchangeHost\":\"not a url\""), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: exchangeHost with user info",
            OPTS_RAW("{\"tenantId\":\"%s\",\"applicationId\":\"%s\",\"exchangeHost\":\"https://u:p@example.com\"}", tenant, app), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: exchangeHost with a query",
            OPTS_RAW("{\"tenantId\":\"%s\",\"applicationId\":\"%s\",\"exchangeHost\":\"https://example.com/?a=1\"}", tenant, app), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: pageSize 0", opts(tenant, app, ",\"pageSize\":0"), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: pageSize 1001", opts(tenant, app, ",\"pageSize\":1001"), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: pageSize negative", opts(tenant, app, ",\"pageSize\":-1"), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: pageSize fractional", opts(tenant, app, ",\"pageSize\":1.5"), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: readTimeoutMs 1e300", opts(tenant, app, ",\"readTimeoutMs\":1e300"), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: connectTimeoutMs 0", opts(tenant, app, ",\"connectTimeoutMs\":0"), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: maxRetries of the wrong type (string)", opts(tenant, app, ",\"maxRetries\":\"five\""), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: maxRetries 21", opts(tenant, app, ",\"maxRetries\":21"), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: maxRetryWaitMs of the wrong type (boolean)", opts(tenant, app, ",\"maxRetryWaitMs\":true"), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: unknown environment", opts(tenant, app, ",\"environment\":\"Mars\""), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: unknown credential kind", opts(tenant, app, ",\"credential\":\"Password\""), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: anchorMailbox with CR LF (header injection)", opts(tenant, app, ",\"anchorMailbox\":\"a\\r\\nX-Evil: 1\""), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: empty anchorMailbox", opts(tenant, app, ",\"anchorMailbox\":\"\""), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    {
        char *longapp = big_string(200, 'c');
        char *extra = malloc(300);
        snprintf(extra, 300, ",\"clientApplication\":\"%s\"", longapp);
        CONNECT("connect: clientApplication of 200 characters", opts(tenant, app, extra), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
        free(extra);
        free(longapp);
    }

    /* --- connect: secrets (UTF-16 pointer + length) --- */
    CONNECT("connect: NULL refresh token with a length", opts(tenant, app, NULL), NULL, 5, cs, sl, EXO_RESULT_NULL_PARAMETER);
    CONNECT("connect: NULL client secret with a length", opts(tenant, app, NULL), rt, rl, NULL, 7, EXO_RESULT_NULL_PARAMETER);
    CONNECT_ALL("connect: NULL access token with a length", opts(tenant, app, NULL), NULL, 0, NULL, 0, NULL, 9, EXO_RESULT_NULL_PARAMETER);
    uint16_t lone[] = {'a', 0xD800, 'b'};
    CONNECT("connect: lone high surrogate in the refresh token", opts(tenant, app, NULL), lone, 3, cs, sl, EXO_RESULT_INVALID_UTF8);
    uint16_t low[] = {'a', 0xDC00, 'b'};
    CONNECT("connect: lone low surrogate in the client secret", opts(tenant, app, NULL), rt, rl, low, 3, EXO_RESULT_INVALID_UTF8);
    uint16_t tail[] = {'a', 'b', 0xD83D};
    CONNECT_ALL("connect: high surrogate as the last unit of the access token", opts(tenant, app, NULL), NULL, 0, NULL, 0, tail, 3,
                EXO_RESULT_INVALID_UTF8);
    uint16_t reversed[] = {0xDE00, 0xD83D};
    CONNECT("connect: surrogate pair in reverse order", opts(tenant, app, NULL), reversed, 2, cs, sl, EXO_RESULT_INVALID_UTF8);
    CONNECT("connect: no credential at all", opts(tenant, app, NULL), NULL, 0, NULL, 0, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: zero-length secret buffers (non-NULL, length 0)", opts(tenant, app, NULL), rt, 0, cs, 0, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: AppSecret credential given a refresh token", opts(tenant, app, ",\"credential\":\"AppSecret\""), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    CONNECT_ALL("connect: AccessToken credential given a refresh token too", opts(tenant, app, ",\"credential\":\"AccessToken\""), rt, rl, NULL, 0,
                rt, rl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("connect: DeviceCode credential through exo_connect", opts(tenant, app, ",\"credential\":\"DeviceCode\""), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    size_t wl;
    uint16_t *wrong = utf16("definitely-not-the-secret", &wl);
    CONNECT("connect: wrong client secret (AADSTS7000215)", opts(tenant, app, ",\"maxRetries\":0"), rt, rl, wrong, wl, EXO_RESULT_AUTH_FAILED);
    CONNECT("connect: garbage refresh token (AADSTS70000)", opts(tenant, app, ",\"maxRetries\":0"), wrong, wl, cs, sl, EXO_RESULT_AUTH_FAILED);
    free(wrong);
    {
        uint16_t nul_inside[] = {'a', 0, 'b', 'c'};
        CONNECT("connect: refresh token with a NUL code unit inside", opts(tenant, app, ",\"maxRetries\":0"), nul_inside, 4, cs, sl,
                EXO_RESULT_AUTH_FAILED);
    }
    CONNECT("connect: unknown tenant (AADSTS90002)", opts("nobody-here.onmicrosoft.com", app, ",\"maxRetries\":0"), rt, rl, cs, sl,
            EXO_RESULT_AUTH_FAILED);
    {
        size_t big = 5 * 1024 * 1024; /* 10 MB of UTF-16 */
        uint16_t *huge = malloc(big * sizeof *huge);
        for (size_t i = 0; i < big; i++) huge[i] = 'x';
        CASE("connect: 10 MB refresh token");
        conn = NULL;
        err = NULL;
        exo_result r = exo_connect(opts(tenant, app, ",\"maxRetries\":0"), huge, big, cs, sl, NULL, 0, &conn, &err);
        expect_error("10 MB refresh token", r, &err);
        CHECK(conn == NULL, "10 MB refresh token: no connection");
        free(huge);
    }
    CASE("connect: NULL err pointer (the code still comes back)");
    conn = NULL;
    CHECK(exo_connect(NULL, NULL, 0, NULL, 0, NULL, 0, &conn, NULL) == EXO_RESULT_NULL_PARAMETER && conn == NULL, "NULL err");
    CASE("connect: NULL out pointer");
    err = NULL;
    expect("NULL out", exo_connect(opts(tenant, app, NULL), rt, rl, cs, sl, NULL, 0, NULL, &err), EXO_RESULT_NULL_PARAMETER, &err);

    /* --- invoke: request_json and handles --- */
    exo_connection *c = connect_rt(NULL);
    exo_cursor *cur = NULL;
    char *s = NULL;
#define INVOKE(what, handle, jsn, want)                                                    \
    do {                                                                                   \
        CASE(what);                                                                        \
        cur = NULL;                                                                        \
        err = NULL;                                                                        \
        exo_result r_ = exo_invoke(handle, jsn, &cur, &err);                                \
        expect(what, r_, want, &err);                                                      \
        CHECK(r_ == EXO_RESULT_OK || cur == NULL, "%s: out written on failure", what);     \
        exo_cursor_free(cur);                                                              \
    } while (0)
/* A request the library accepts; the service refuses it on the first page. */
#define SERVICE_REFUSES(what, jsn)                                                         \
    do {                                                                                   \
        CASE(what);                                                                        \
        cur = NULL;                                                                        \
        err = NULL;                                                                        \
        expect(what, exo_invoke(c, jsn, &cur, &err), EXO_RESULT_OK, &err);                  \
        s = NULL;                                                                          \
        err = NULL;                                                                        \
        exo_result r_ = exo_cursor_next(cur, &s, &err);                                    \
        expect_error(what, r_, &err);                                                      \
        CHECK(s == NULL, "%s: page written on failure", what);                             \
        exo_cursor_free(cur);                                                              \
    } while (0)
    INVOKE("invoke: NULL connection", NULL, "{\"cmdlet\":\"Get-Mailbox\"}", EXO_RESULT_NULL_PARAMETER);
    INVOKE("invoke: NULL request", c, NULL, EXO_RESULT_NULL_PARAMETER);
    INVOKE("invoke: bad UTF-8 in the request", c, "{\"cmdlet\":\"Get-\xc3\x28\"}", EXO_RESULT_INVALID_UTF8);
    INVOKE("invoke: bad UTF-8 in a parameter value", c, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"Identity\":\"\xf0\x28\x8c\x28\"}}",
           EXO_RESULT_INVALID_UTF8);
    INVOKE("invoke: empty request", c, "", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: malformed JSON", c, "{\"cmdlet\":", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: JSON null", c, "null", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: unknown request field", c, "{\"cmdlet\":\"Get-Mailbox\",\"filter\":1}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: missing cmdlet", c, "{\"parameters\":{}}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: cmdlet of the wrong type (number)", c, "{\"cmdlet\":7}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: empty cmdlet", c, "{\"cmdlet\":\"\"}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: cmdlet name with a command separator", c, "{\"cmdlet\":\"Get-Mailbox; Remove-Mailbox\"}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: cmdlet name with non-ASCII letters", c, "{\"cmdlet\":\"Get-Mailb\xc3\xb6x\"}", EXO_RESULT_INVALID_ARGUMENT);
    {
        char *longname = big_string(300, 'x');
        char *j = malloc(400);
        snprintf(j, 400, "{\"cmdlet\":\"Get-%s\"}", longname);
        INVOKE("invoke: cmdlet name of 304 characters", c, j, EXO_RESULT_INVALID_ARGUMENT);
        free(j);
        free(longname);
    }
    INVOKE("invoke: parameters of the wrong type (array)", c, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":[1]}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: parameter name with a space", c, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"a b\":1}}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: empty parameter name", c, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"\":1}}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: ResultSize negative", c, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"ResultSize\":-4}}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: ResultSize not a number", c, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"ResultSize\":\"abc\"}}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: ResultSize of the wrong type (object)", c, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"ResultSize\":{\"a\":1}}}",
           EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: select of the wrong type (string)", c, "{\"cmdlet\":\"Get-Mailbox\",\"select\":\"Name\"}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: select with a bad property name", c, "{\"cmdlet\":\"Get-Mailbox\",\"select\":[\"Na me\"]}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: select with a number", c, "{\"cmdlet\":\"Get-Mailbox\",\"select\":[1]}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: pageSize 0", c, "{\"cmdlet\":\"Get-Mailbox\",\"pageSize\":0}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: pageSize of the wrong type (string)", c, "{\"cmdlet\":\"Get-Mailbox\",\"pageSize\":\"10\"}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: anchorMailbox of the wrong type (number)", c, "{\"cmdlet\":\"Get-Mailbox\",\"anchorMailbox\":5}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke: anchorMailbox with CR LF", c, "{\"cmdlet\":\"Get-Mailbox\",\"anchorMailbox\":\"a\\r\\nb\"}", EXO_RESULT_INVALID_ARGUMENT);
    ten_mb[0] = 'x';
    INVOKE("invoke: 10 MB request of garbage", c, ten_mb, EXO_RESULT_INVALID_ARGUMENT);
    {
        char *deep = nested("{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"Identity\":", 100000, "}}");
        INVOKE("invoke: parameter value nested 100,000 deep", c, deep, EXO_RESULT_INVALID_ARGUMENT);
        free(deep);
    }
    {
        /* Nested less than the parser's limit: accepted here, refused by the service. */
        char *deep = nested("{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"Identity\":", 100, "}}");
        SERVICE_REFUSES("invoke: parameter value nested 100 deep (service refuses it)", deep);
        free(deep);
    }
    {
        /* A valid 10 MB parameter is sent; the service's answer decides. */
        size_t n = 10 * 1024 * 1024;
        char *req = malloc(n + 200);
        int k = sprintf(req, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"Identity\":\"");
        memset(req + k, 'z', n);
        strcpy(req + k + n, "\"}}");
        SERVICE_REFUSES("invoke: 10 MB Identity (service: not found)", req);
        free(req);
    }
    SERVICE_REFUSES("invoke: unknown cmdlet (service: CommandNotFound)", "{\"cmdlet\":\"Get-NoSuchThing\"}");
    SERVICE_REFUSES("invoke: unknown parameter (service: ParameterBinding)", "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"NoSuchParameter\":1}}");
    SERVICE_REFUSES("invoke: malformed -Filter (service: invalid filter syntax)",
                    "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"Filter\":\"Name -eq (\"}}");
    SERVICE_REFUSES("invoke: wrong parameter type (string for a Boolean)",
                    "{\"cmdlet\":\"Set-Mailbox\",\"parameters\":{\"Identity\":\"x\",\"HiddenFromAddressListsEnabled\":\"maybe\"}}");
    CASE("invoke: NULL out pointer");
    err = NULL;
    expect("invoke out NULL", exo_invoke(c, "{\"cmdlet\":\"Get-Mailbox\"}", NULL, &err), EXO_RESULT_NULL_PARAMETER, &err);

    /* --- cursors --- */
    CASE("next: NULL cursor");
    s = NULL;
    err = NULL;
    expect("next NULL cursor", exo_cursor_next(NULL, &s, &err), EXO_RESULT_NULL_PARAMETER, &err);
    CHECK(s == NULL, "next NULL cursor: page written");
    exo_cursor *kept = NULL;
    err = NULL;
    expect("invoke kept", exo_invoke(c, "{\"cmdlet\":\"Get-Mailbox\"}", &kept, &err), EXO_RESULT_OK, &err);
    CASE("next: NULL page_json");
    err = NULL;
    expect("next NULL page_json", exo_cursor_next(kept, NULL, &err), EXO_RESULT_NULL_PARAMETER, &err);
    INVOKE("invoke: a cursor passed as the connection", (const exo_connection *)kept, "{\"cmdlet\":\"Get-Mailbox\"}", EXO_RESULT_INVALID_HANDLE);
    {
        CASE("cursor: cancel twice, then next");
        cur = NULL;
        err = NULL;
        expect("invoke for double cancel", exo_invoke(c, "{\"cmdlet\":\"Get-Recipient\"}", &cur, &err), EXO_RESULT_OK, &err);
        exo_cursor_cancel(cur);
        exo_cursor_cancel(cur);
        s = NULL;
        err = NULL;
        expect("next after double cancel", exo_cursor_next(cur, &s, &err), EXO_RESULT_CANCELLED, &err);
        CHECK(s == NULL, "double cancel: page written");
        exo_cursor_free(cur);
    }
    {
        CASE("cursor: cancel after the last page, then next");
        cur = NULL;
        err = NULL;
        expect("invoke for cancel after done",
               exo_invoke(c, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"ResultSize\":1}}", &cur, &err), EXO_RESULT_OK, &err);
        s = NULL;
        err = NULL;
        expect("the only page", exo_cursor_next(cur, &s, &err), EXO_RESULT_OK, &err);
        CHECK(s && strstr(s, "\"more\":false"), "one page only");
        exo_string_free(s);
        exo_cursor_cancel(cur);
        s = NULL;
        err = NULL;
        expect("next after cancel after done", exo_cursor_next(cur, &s, &err), EXO_RESULT_CANCELLED, &err);
        exo_cursor_free(cur);
    }
    CASE("info: NULL connection");
    err = NULL;
    expect("info NULL connection", exo_connection_info(NULL, &s, &err), EXO_RESULT_NULL_PARAMETER, &err);
    CASE("info: NULL out pointer");
    err = NULL;
    expect("info NULL out", exo_connection_info(c, NULL, &err), EXO_RESULT_NULL_PARAMETER, &err);
    size_t needed = 0;
    CASE("export: NULL connection");
    err = NULL;
    expect("export NULL connection", exo_connection_export_refresh_token(NULL, NULL, 0, &needed, &err), EXO_RESULT_NULL_PARAMETER, &err);
    err = NULL;
    expect("export newest NULL connection", exo_connection_export_newest_refresh_token(NULL, NULL, 0, &needed, &err), EXO_RESULT_NULL_PARAMETER, &err);
    {
        CASE("export: zero-length buffer (non-NULL, length 0)");
        uint16_t one[1] = {0x4141};
        needed = 0;
        err = NULL;
        expect("export zero-length", exo_connection_export_refresh_token(c, one, 0, &needed, &err), EXO_RESULT_BUFFER_TOO_SMALL, &err);
        CHECK(one[0] == 0x4141 && needed > 0, "zero-length buffer untouched, size reported");
        CASE("export: NULL buffer with a length");
        err = NULL;
        expect("export NULL buf with a length", exo_connection_export_refresh_token(c, NULL, 64, NULL, &err), EXO_RESULT_BUFFER_TOO_SMALL, &err);
    }

    /* --- use after disconnect: every call says INVALID_HANDLE --- */
    exo_connection_disconnect(c);
    CASE("disconnect: twice (no crash)");
    exo_connection_disconnect(c);
    CASE("info: after disconnect");
    s = NULL;
    err = NULL;
    expect("info after disconnect", exo_connection_info(c, &s, &err), EXO_RESULT_INVALID_HANDLE, &err);
    INVOKE("invoke: after disconnect", c, "{\"cmdlet\":\"Get-Mailbox\"}", EXO_RESULT_INVALID_HANDLE);
    CASE("export: after disconnect");
    err = NULL;
    expect("export after disconnect", exo_connection_export_refresh_token(c, NULL, 0, &needed, &err), EXO_RESULT_INVALID_HANDLE, &err);
    CASE("next: cursor of a disconnected connection");
    s = NULL;
    err = NULL;
    expect("next on a cursor of a disconnected connection", exo_cursor_next(kept, &s, &err), EXO_RESULT_INVALID_HANDLE, &err);
    exo_cursor_free(kept);
    exo_connection_free(c);

    /* App-only connection: no refresh token to export. */
    CASE("export: from an app-only connection");
    conn = NULL;
    err = NULL;
    expect("connect app-only", exo_connect(opts(tenant, app, NULL), NULL, 0, cs, sl, NULL, 0, &conn, &err), EXO_RESULT_OK, &err);
    err = NULL;
    expect("export from app-only", exo_connection_export_refresh_token(conn, NULL, 0, &needed, &err), EXO_RESULT_INVALID_ARGUMENT, &err);
    exo_connection_free(conn);

    /* --- device code misuse --- */
    exo_device_flow *flow = NULL;
    CASE("device: start with NULL options");
    err = NULL;
    expect("device start NULL options", exo_device_code_start(NULL, &flow, &err), EXO_RESULT_NULL_PARAMETER, &err);
    CASE("device: start with malformed options");
    err = NULL;
    expect("device start malformed", exo_device_code_start("{", &flow, &err), EXO_RESULT_INVALID_ARGUMENT, &err);
    CASE("device: start with a refresh-token credential");
    err = NULL;
    expect("device start wrong credential", exo_device_code_start(opts(tenant, app, ",\"credential\":\"RefreshToken\""), &flow, &err),
           EXO_RESULT_INVALID_ARGUMENT, &err);
    CASE("device: start with a NULL out pointer");
    err = NULL;
    expect("device start NULL out", exo_device_code_start(opts(env("EXO_PARTNER_TENANT"), env("EXO_PUBLIC_CLIENT_ID"), NULL), NULL, &err),
           EXO_RESULT_NULL_PARAMETER, &err);
    CASE("device: wait on a NULL flow");
    err = NULL;
    expect("device wait NULL flow", exo_device_flow_wait(NULL, 0, &conn, &err), EXO_RESULT_NULL_PARAMETER, &err);
    CASE("device: message of a NULL flow");
    CHECK(exo_device_flow_message_json(NULL) == NULL, "message of NULL flow");
    {
        flow = NULL;
        err = NULL;
        expect("device start for cancel", exo_device_code_start(opts(env("EXO_PARTNER_TENANT"), env("EXO_PUBLIC_CLIENT_ID"), NULL), &flow, &err),
               EXO_RESULT_OK, &err);
        CASE("device: wait with a NULL out pointer");
        err = NULL;
        expect("device wait NULL out", exo_device_flow_wait(flow, 0, NULL, &err), EXO_RESULT_NULL_PARAMETER, &err);
        CASE("device: cancel twice, then wait");
        exo_device_flow_cancel(flow);
        exo_device_flow_cancel(flow);
        conn = NULL;
        err = NULL;
        expect("device wait after double cancel", exo_device_flow_wait(flow, 100, &conn, &err), EXO_RESULT_CANCELLED, &err);
        CHECK(conn == NULL, "no connection after cancel");
        exo_device_flow_free(flow);
    }

    /* --- NULL everywhere else: frees, cancels and accessors --- */
    CASE("NULL to every free, cancel and disconnect function");
    exo_connection_free(NULL);
    exo_connection_disconnect(NULL);
    exo_cursor_free(NULL);
    exo_cursor_cancel(NULL);
    exo_device_flow_free(NULL);
    exo_device_flow_cancel(NULL);
    exo_string_free(NULL);
    exo_error_free(NULL);
    CASE("NULL to the error accessors");
    CHECK(exo_error_code(NULL) == EXO_RESULT_NULL_PARAMETER, "code of NULL error");
    CHECK(exo_error_message(NULL) == NULL, "message of NULL error");
    CHECK(exo_error_json(NULL) == NULL, "json of NULL error");
    CHECK(exo_error_aadsts(NULL) == 0, "aadsts of NULL error");
    CASE("unknown result code name");
    CHECK(strcmp(exo_result_name(99999), "Unknown") == 0, "unknown result name");

    printf("bad-input corpus: %d cases\n", cases);
    CHECK(cases >= 50, "the bad-input corpus has %d cases, want at least 50", cases);

    free(ten_mb);
    memset(rt, 0, rl * 2);
    memset(cs, 0, sl * 2);
    free(rt);
    free(cs);
}

/* Two connections through exo_fanout; the partner's customers through exo_customers. */
static void fanout_and_customers(void) {
    exo_connection *a = connect_rt(NULL);
    exo_connection *b = connect_rt(NULL);
    if (!a || !b) {
        exo_connection_free(a);
        exo_connection_free(b);
        return;
    }
    const exo_connection *conns[2] = {a, b};
    exo_fanout *f = NULL;
    exo_error *err = NULL;
    exo_result r = exo_fanout_new(conns, 2, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"ResultSize\":\"Unlimited\"},\"pageSize\":7}",
                                  0, &f, &err);
    expect("fan-out over two connections", r, EXO_RESULT_OK, &err);
    size_t records[2] = {0, 0};
    int finished = 0, failures = 0, rounds = 0;
    while (f && !finished && rounds++ < 10000) {
        exo_fanout_event ev;
        size_t index = 99;
        char *json = NULL;
        r = exo_fanout_next(f, 200, &ev, &index, &json, &err);
        if (r != EXO_RESULT_OK) {
            expect("fan-out next", r, EXO_RESULT_OK, &err);
            break;
        }
        if (ev == EXO_FANOUT_EVENT_PAGE && index < 2) records[index] += count(json, "\"UserPrincipalName\"");
        if (ev == EXO_FANOUT_EVENT_FAILED) failures++;
        if (ev == EXO_FANOUT_EVENT_FINISHED) finished = 1;
        CHECK((ev == EXO_FANOUT_EVENT_PAGE || ev == EXO_FANOUT_EVENT_FAILED) == (json != NULL), "fan-out json only with a page or failure");
        exo_string_free(json);
    }
    size_t want = (size_t)atoi(env("EXO_MAILBOXES"));
    CHECK(finished && failures == 0, "fan-out finished without failures");
    CHECK(records[0] == want && records[1] == want, "fan-out: %zu and %zu records, want %zu each", records[0], records[1], want);
    exo_fanout_cancel(f);
    exo_fanout_free(f);

    /* Cancel while the workers still run, then free. */
    r = exo_fanout_new(conns, 2, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"ResultSize\":\"Unlimited\"},\"pageSize\":1}", 1, &f, &err);
    expect("fan-out to cancel", r, EXO_RESULT_OK, &err);
    exo_fanout_cancel(f);
    {
        exo_fanout_event ev;
        size_t index;
        char *json = NULL;
        r = exo_fanout_next(f, 1000, &ev, &index, &json, &err);
        expect("fan-out next after cancel", r, EXO_RESULT_CANCELLED, &err);
        CHECK(json == NULL, "no json after cancel");
    }
    exo_fanout_free(f);

    CASE("fan-out: NULL connections");
    f = NULL;
    r = exo_fanout_new(NULL, 2, "{\"cmdlet\":\"Get-Mailbox\"}", 0, &f, &err);
    expect_error("fan-out NULL connections", r, &err);
    CHECK(f == NULL, "fan-out out written on failure");
    CASE("fan-out: zero connections");
    r = exo_fanout_new(conns, 0, "{\"cmdlet\":\"Get-Mailbox\"}", 0, &f, &err);
    expect_error("fan-out zero connections", r, &err);
    CASE("fan-out: a NULL among the connections");
    const exo_connection *holes[2] = {a, NULL};
    r = exo_fanout_new(holes, 2, "{\"cmdlet\":\"Get-Mailbox\"}", 0, &f, &err);
    expect_error("fan-out NULL handle", r, &err);
    CASE("fan-out: throttle above 256");
    r = exo_fanout_new(conns, 2, "{\"cmdlet\":\"Get-Mailbox\"}", 1000, &f, &err);
    expect_error("fan-out throttle", r, &err);
    CASE("fan-out: NULL handle to next");
    {
        exo_fanout_event ev;
        size_t index;
        char *json = NULL;
        r = exo_fanout_next(NULL, 0, &ev, &index, &json, &err);
        expect_error("fan-out next NULL", r, &err);
    }
    exo_fanout_cancel(NULL);
    exo_fanout_free(NULL);

    size_t rl, sl;
    uint16_t *rt = utf16(env("EXO_REFRESH_TOKEN"), &rl);
    uint16_t *cs = utf16(env("EXO_CLIENT_SECRET"), &sl);
    char gopts[1024];
    snprintf(gopts, sizeof gopts, "{\"applicationId\":\"%s\",\"authorityHost\":\"%s\",\"graphHost\":\"%s\"}",
             env("EXO_APP_ID"), env("EXO_URL"), env("EXO_URL"));
    exo_customers *q = NULL;
    r = exo_customers_new(gopts, rt, rl, cs, sl, &q, &err);
    expect("customers new", r, EXO_RESULT_OK, &err);
    char *json = NULL;
    r = exo_customers_run(q, &json, &err);
    expect("customers run", r, EXO_RESULT_OK, &err);
    CHECK(json && strstr(json, env("EXO_TENANT")) != NULL, "the customers include EXO_TENANT");
    exo_string_free(json);
    exo_customers_cancel(q);
    exo_customers_free(q);
    CASE("customers: unknown option");
    q = NULL;
    r = exo_customers_new("{\"applicationId\":\"11111111-2222-3333-4444-555555555555\",\"exchangeHost\":\"https://x\"}", rt, rl, cs, sl, &q, &err);
    expect_error("customers unknown option", r, &err);
    CHECK(q == NULL, "customers out written on failure");
    CASE("customers: no refresh token");
    r = exo_customers_new(gopts, NULL, 0, cs, sl, &q, &err);
    expect_error("customers without refresh token", r, &err);
    CASE("customers: NULL handle to run");
    r = exo_customers_run(NULL, &json, &err);
    expect_error("customers run NULL", r, &err);
    exo_customers_cancel(NULL);
    exo_customers_free(NULL);
    memset(rt, 0, rl * 2);
    memset(cs, 0, sl * 2);
    free(rt);
    free(cs);
    exo_connection_free(a);
    exo_connection_free(b);
}

int main(void) {
    printf("exo-bridge %s\n", exo_version());
    happy_path();
    device_code();
    fanout_and_customers();
    bad_inputs();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
