/*
 * core_test.c: drives the native core through the committed header against a
 * running exo-emulator: connect -> invoke -> page through -> free, device code
 * sign-in, refresh-token export, and >= 30 distinct bad inputs (NULL, bad
 * UTF-8/UTF-16, empty and 10 MB strings, malformed JSON, unknown options,
 * disconnected-connection use). Every object is freed, so valgrind's leak
 * check stays clean.
 *
 * Inputs come from the environment (tests/c/run_core_test.sh sets them from
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

static void bad_inputs(void) {
    exo_connection *conn = NULL;
    exo_error *err = NULL;
    const char *tenant = env("EXO_TENANT"), *app = env("EXO_APP_ID");
    size_t sl;
    uint16_t *cs = utf16(env("EXO_CLIENT_SECRET"), &sl);
    size_t rl;
    uint16_t *rt = utf16(env("EXO_REFRESH_TOKEN"), &rl);

#define CONNECT(what, json, r16, r16l, s16, s16l, want)                                      \
    do {                                                                                   \
        conn = NULL;                                                                       \
        err = NULL;                                                                        \
        exo_result r_ = exo_connect(json, r16, r16l, s16, s16l, NULL, 0, &conn, &err);     \
        expect(what, r_, want, &err);                                                       \
        CHECK(r_ == EXO_RESULT_OK || conn == NULL, "%s: out written on failure", what);    \
        exo_connection_free(conn);                                                         \
    } while (0)

    /* 1-14: options */
    CONNECT("NULL options", NULL, rt, rl, cs, sl, EXO_RESULT_NULL_PARAMETER);
    CONNECT("bad UTF-8 options", "{\"tenantId\":\"\xff\xfe\"}", rt, rl, cs, sl, EXO_RESULT_INVALID_UTF8);
    CONNECT("empty options", "", rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    char *ten_mb = big_string(10 * 1024 * 1024, 'a');
    CONNECT("10 MB options", ten_mb, rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    ten_mb[0] = '{';
    ten_mb[1] = '"';
    CONNECT("10 MB key", ten_mb, rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("malformed JSON", "{\"tenantId\":", rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("JSON array", "[1,2]", rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("unknown option", opts(tenant, app, ",\"clientSecret\":\"x\""), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("missing tenant", "{\"applicationId\":\"11111111-2222-3333-4444-555555555555\"}", rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("bad application id", opts(tenant, "not-a-guid", NULL), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("tenant with a slash", opts("a/b", app, NULL), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    snprintf(options, sizeof options,
             "{\"tenantId\":\"%s\",\"applicationId\":\"%s\",\"exchangeHost\":\"http://outlook.office365.com\"}", tenant, app);
    CONNECT("http to a non-loopback host", options, rt, rl, cs, sl, EXO_RESULT_INSECURE_ENDPOINT);
    snprintf(options, sizeof options,
             "{\"tenantId\":\"%s\",\"applicationId\":\"%s\",\"authorityHost\":\"http://10.1.2.3\"}", tenant, app);
    CONNECT("http authority on a private address", options, rt, rl, cs, sl, EXO_RESULT_INSECURE_ENDPOINT);
    CONNECT("pageSize 0", opts(tenant, app, ",\"pageSize\":0"), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("wrong type", opts(tenant, app, ",\"maxRetries\":\"five\""), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("bad environment", opts(tenant, app, ",\"environment\":\"Mars\""), rt, rl, cs, sl, EXO_RESULT_INVALID_ARGUMENT);

    /* 15-22: secrets */
    CONNECT("NULL secret with a length", opts(tenant, app, NULL), NULL, 5, cs, sl, EXO_RESULT_NULL_PARAMETER);
    uint16_t lone[] = {'a', 0xD800, 'b'};
    CONNECT("lone surrogate", opts(tenant, app, NULL), lone, 3, cs, sl, EXO_RESULT_INVALID_UTF8);
    CONNECT("no credential", opts(tenant, app, NULL), NULL, 0, NULL, 0, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("empty secrets", opts(tenant, app, NULL), rt, 0, cs, 0, EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("AppSecret with a refresh token", opts(tenant, app, ",\"credential\":\"AppSecret\""), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    CONNECT("DeviceCode through connect", opts(tenant, app, ",\"credential\":\"DeviceCode\""), rt, rl, cs, sl,
            EXO_RESULT_INVALID_ARGUMENT);
    size_t wl;
    uint16_t *wrong = utf16("definitely-not-the-secret", &wl);
    CONNECT("wrong client secret", opts(tenant, app, ",\"maxRetries\":0"), rt, rl, wrong, wl, EXO_RESULT_AUTH_FAILED);
    free(wrong);
    CONNECT("unknown tenant", opts("nobody-here.onmicrosoft.com", app, ",\"maxRetries\":0"), rt, rl, cs, sl,
            EXO_RESULT_AUTH_FAILED);
    {
        size_t big = 5 * 1024 * 1024; /* 10 MB of UTF-16 */
        uint16_t *huge = malloc(big * sizeof *huge);
        for (size_t i = 0; i < big; i++) huge[i] = 'x';
        conn = NULL;
        err = NULL;
        exo_result r = exo_connect(opts(tenant, app, ",\"maxRetries\":0"), huge, big, cs, sl, NULL, 0, &conn, &err);
        CHECK(r != EXO_RESULT_OK && conn == NULL, "10 MB refresh token refused (%s)", exo_result_name(r));
        exo_error_free(err);
        free(huge);
    }
    /* NULL err is allowed: the code still comes back. */
    CHECK(exo_connect(NULL, NULL, 0, NULL, 0, NULL, 0, &conn, NULL) == EXO_RESULT_NULL_PARAMETER, "NULL err");
    err = NULL;
    expect("NULL out", exo_connect(opts(tenant, app, NULL), rt, rl, cs, sl, NULL, 0, NULL, &err),
           EXO_RESULT_NULL_PARAMETER, &err);

    /* 23-40: handles and requests */
    exo_connection *c = connect_rt(NULL);
    exo_cursor *cur = NULL;
    char *s = NULL;
#define INVOKE(what, handle, json, want)                                                   \
    do {                                                                                   \
        cur = NULL;                                                                        \
        err = NULL;                                                                        \
        expect(what, exo_invoke(handle, json, &cur, &err), want, &err);                     \
        exo_cursor_free(cur);                                                              \
    } while (0)
    INVOKE("invoke NULL connection", NULL, "{\"cmdlet\":\"Get-Mailbox\"}", EXO_RESULT_NULL_PARAMETER);
    INVOKE("invoke NULL request", c, NULL, EXO_RESULT_NULL_PARAMETER);
    INVOKE("invoke bad UTF-8", c, "{\"cmdlet\":\"Get-\xc3\x28\"}", EXO_RESULT_INVALID_UTF8);
    INVOKE("invoke empty request", c, "", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke malformed JSON", c, "{\"cmdlet\":", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke unknown field", c, "{\"cmdlet\":\"Get-Mailbox\",\"filter\":1}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke bad cmdlet name", c, "{\"cmdlet\":\"Get-Mailbox; Remove-Mailbox\"}", EXO_RESULT_INVALID_ARGUMENT);
    INVOKE("invoke bad ResultSize", c, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"ResultSize\":-4}}",
           EXO_RESULT_INVALID_ARGUMENT);
    ten_mb[0] = 'x';
    INVOKE("invoke 10 MB request", c, ten_mb, EXO_RESULT_INVALID_ARGUMENT);
    {
        /* A valid 10 MB parameter is sent; the service's answer decides (no crash). */
        size_t n = 10 * 1024 * 1024;
        char *req = malloc(n + 200);
        int k = sprintf(req, "{\"cmdlet\":\"Get-Mailbox\",\"parameters\":{\"Identity\":\"");
        memset(req + k, 'z', n);
        strcpy(req + k + n, "\"}}");
        cur = NULL;
        err = NULL;
        expect("invoke with a 10 MB parameter", exo_invoke(c, req, &cur, &err), EXO_RESULT_OK, &err);
        s = NULL;
        err = NULL;
        exo_result r = exo_cursor_next(cur, &s, &err);
        CHECK(r != EXO_RESULT_PANIC, "10 MB parameter: %s", exo_result_name(r));
        exo_string_free(s);
        exo_error_free(err);
        exo_cursor_free(cur);
        free(req);
    }
    INVOKE("invoke control", c, "{\"cmdlet\":\"Get-Mailbox\"}", EXO_RESULT_OK); /* control */
    err = NULL;
    expect("invoke out NULL", exo_invoke(c, "{\"cmdlet\":\"Get-Mailbox\"}", NULL, &err), EXO_RESULT_NULL_PARAMETER, &err);

    /* Unknown cmdlet: the service's error, mapped. */
    cur = NULL;
    err = NULL;
    expect("invoke unknown cmdlet", exo_invoke(c, "{\"cmdlet\":\"Get-NoSuchThing\"}", &cur, &err), EXO_RESULT_OK, &err);
    s = NULL;
    err = NULL;
    exo_result r = exo_cursor_next(cur, &s, &err);
    CHECK(r == EXO_RESULT_EXCHANGE_ERROR && err && strstr(exo_error_json(err), "UnknownCmdlet"),
          "unknown cmdlet mapped: %s %s", exo_result_name(r), err ? exo_error_json(err) : "");
    exo_error_free(err);
    exo_cursor_free(cur);

    err = NULL;
    expect("next NULL cursor", exo_cursor_next(NULL, &s, &err), EXO_RESULT_NULL_PARAMETER, &err);
    exo_cursor *kept = NULL;
    err = NULL;
    exo_invoke(c, "{\"cmdlet\":\"Get-Mailbox\"}", &kept, &err);
    exo_error_free(err);
    err = NULL;
    expect("next NULL page_json", exo_cursor_next(kept, NULL, &err), EXO_RESULT_NULL_PARAMETER, &err);
    err = NULL;
    expect("info NULL connection", exo_connection_info(NULL, &s, &err), EXO_RESULT_NULL_PARAMETER, &err);
    err = NULL;
    expect("info NULL out", exo_connection_info(c, NULL, &err), EXO_RESULT_NULL_PARAMETER, &err);
    err = NULL;
    size_t needed;
    expect("export NULL connection", exo_connection_export_refresh_token(NULL, NULL, 0, &needed, &err),
           EXO_RESULT_NULL_PARAMETER, &err);

    /* Disconnected-connection use: every call says INVALID_HANDLE. */
    exo_connection_disconnect(c);
    exo_connection_disconnect(c); /* twice is fine */
    s = NULL;
    err = NULL;
    expect("info after disconnect", exo_connection_info(c, &s, &err), EXO_RESULT_INVALID_HANDLE, &err);
    INVOKE("invoke after disconnect", c, "{\"cmdlet\":\"Get-Mailbox\"}", EXO_RESULT_INVALID_HANDLE);
    err = NULL;
    expect("export after disconnect", exo_connection_export_refresh_token(c, NULL, 0, &needed, &err),
           EXO_RESULT_INVALID_HANDLE, &err);
    s = NULL;
    err = NULL;
    expect("next on a cursor of a disconnected connection", exo_cursor_next(kept, &s, &err), EXO_RESULT_INVALID_HANDLE,
           &err);
    exo_cursor_free(kept);
    exo_connection_free(c);

    /* App-only connection: no refresh token to export. */
    conn = NULL;
    err = NULL;
    expect("connect app-only", exo_connect(opts(tenant, app, NULL), NULL, 0, cs, sl, NULL, 0, &conn, &err), EXO_RESULT_OK, &err);
    err = NULL;
    expect("export from app-only", exo_connection_export_refresh_token(conn, NULL, 0, &needed, &err),
           EXO_RESULT_INVALID_ARGUMENT, &err);
    exo_connection_free(conn);

    /* Device code misuse. */
    exo_device_flow *flow = NULL;
    err = NULL;
    expect("device start NULL options", exo_device_code_start(NULL, &flow, &err), EXO_RESULT_NULL_PARAMETER, &err);
    err = NULL;
    expect("device start wrong credential",
           exo_device_code_start(opts(tenant, app, ",\"credential\":\"RefreshToken\""), &flow, &err),
           EXO_RESULT_INVALID_ARGUMENT, &err);
    err = NULL;
    expect("device wait NULL flow", exo_device_flow_wait(NULL, 0, &conn, &err), EXO_RESULT_NULL_PARAMETER, &err);
    CHECK(exo_device_flow_message_json(NULL) == NULL, "message of NULL flow");

    /* Every free/cancel accepts NULL; accessors of NULL errors are safe. */
    exo_connection_free(NULL);
    exo_connection_disconnect(NULL);
    exo_cursor_free(NULL);
    exo_cursor_cancel(NULL);
    exo_device_flow_free(NULL);
    exo_device_flow_cancel(NULL);
    exo_string_free(NULL);
    exo_error_free(NULL);
    CHECK(exo_error_code(NULL) == EXO_RESULT_NULL_PARAMETER, "code of NULL error");
    CHECK(exo_error_message(NULL) == NULL, "message of NULL error");
    CHECK(exo_error_aadsts(NULL) == 0, "aadsts of NULL error");
    CHECK(strcmp(exo_result_name(99999), "Unknown") == 0, "unknown result name");

    free(ten_mb);
    memset(rt, 0, rl * 2);
    memset(cs, 0, sl * 2);
    free(rt);
    free(cs);
}

int main(void) {
    printf("exo-bridge %s\n", exo_version());
    happy_path();
    device_code();
    bad_inputs();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
