/* Foundation tests of the C ABI through the committed header: version, result
 * names, the error object, and NULL / bad UTF-8 handling. Prints one
 * "ok N - ..." or "not ok N - ..." line per check; exit status 1 on failure. */
#include "exo_bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks = 0;
static int failures = 0;

static void check(int condition, const char *what) {
    checks++;
    if (condition) {
        printf("ok %d - %s\n", checks, what);
    } else {
        failures++;
        printf("not ok %d - %s\n", checks, what);
    }
}

static void test_version(void) {
    const char *v = exo_version();
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", EXO_VERSION_MAJOR, EXO_VERSION_MINOR, EXO_VERSION_PATCH);
    check(v != NULL, "exo_version returns a string");
    check(v != NULL && strcmp(v, expected) == 0, "exo_version matches the header's version macros");
    check(exo_version() == v, "exo_version is static (same pointer every call)");
}

static void test_result_names(void) {
    check(strcmp(exo_result_name(EXO_RESULT_OK), "Ok") == 0, "result name of OK");
    check(strcmp(exo_result_name(EXO_RESULT_NULL_PARAMETER), "NullParameter") == 0, "result name of NULL_PARAMETER");
    check(strcmp(exo_result_name(EXO_RESULT_INTERNAL), "Internal") == 0, "result name of the last code");
    check(strcmp(exo_result_name(9999), "Unknown") == 0, "unknown result number gives Unknown");
    check(EXO_RESULT_OK == 0 && EXO_RESULT_PANIC == 4 && EXO_RESULT_AUTH_FAILED == 10, "result numbers are stable");
}

static void test_null_error_object(void) {
    check(exo_error_code(NULL) == EXO_RESULT_NULL_PARAMETER, "exo_error_code(NULL) is NULL_PARAMETER");
    check(exo_error_message(NULL) == NULL, "exo_error_message(NULL) is NULL");
    check(exo_error_json(NULL) == NULL, "exo_error_json(NULL) is NULL");
    check(exo_error_aadsts(NULL) == 0, "exo_error_aadsts(NULL) is 0");
    exo_error_free(NULL);
    check(1, "exo_error_free(NULL) is a no-op");
    exo_string_free(NULL);
    check(1, "exo_string_free(NULL) is a no-op");
}

int main(void) {
    test_version();
    test_result_names();
    test_null_error_object();
    printf("# %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
