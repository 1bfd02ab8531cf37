//! The command-line contract: startup line, argument errors, stdin-EOF shutdown, control endpoints.

mod common;

use common::{binary, Emulator};
use std::process::{Command, Stdio};
use std::time::Duration;

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

#[test]
fn startup_line_has_the_documented_shape() {
    let emu = Emulator::start(&[]);
    let i = &emu.info;
    assert!(emu.url.starts_with("http://127.0.0.1:"), "{}", emu.url);
    assert_ne!(emu.url, "http://127.0.0.1:0");
    for k in ["partnerTenantId", "applicationId", "publicClientId"] {
        assert!(is_guid(i[k].as_str().unwrap()), "{} = {}", k, i[k]);
    }
    assert!(i["partnerDomain"].as_str().unwrap().starts_with("partner"));
    assert!(i["partnerDomain"]
        .as_str()
        .unwrap()
        .ends_with(".onmicrosoft.com"));
    for k in [
        "clientSecret",
        "refreshToken",
        "publicRefreshToken",
        "expiredRefreshToken",
        "expiredClientSecret",
    ] {
        assert!(i[k].as_str().unwrap().len() >= 30, "{}", k);
    }
    let customers = i["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 3);
    let mut ids = std::collections::HashSet::new();
    for c in customers {
        assert!(is_guid(c["tenantId"].as_str().unwrap()));
        assert!(c["domain"].as_str().unwrap().ends_with(".onmicrosoft.com"));
        assert_eq!(c["mailboxes"], 50);
        assert!(ids.insert(c["tenantId"].as_str().unwrap().to_string()));
    }
    assert!(is_guid(i["unrelatedTenant"]["tenantId"].as_str().unwrap()));
    assert!(i["unrelatedTenant"]["domain"]
        .as_str()
        .unwrap()
        .ends_with(".onmicrosoft.com"));
    for k in [
        "mfaRequired",
        "consentMissing",
        "conditionalAccess",
        "appMissing",
        "noExchange",
    ] {
        let t = &i["specialTenants"][k];
        assert!(is_guid(t["tenantId"].as_str().unwrap()), "{}", k);
        assert!(
            ids.insert(t["tenantId"].as_str().unwrap().to_string()),
            "{} is distinct",
            k
        );
    }
    assert_ne!(i["clientSecret"], i["expiredClientSecret"]);
    assert_ne!(i["refreshToken"], i["publicRefreshToken"]);
}

#[test]
fn startup_line_is_deterministic_per_seed_and_honours_sizes() {
    let a = Emulator::start(&["--seed", "42", "--tenants", "5", "--mailboxes", "7"]);
    let b = Emulator::start(&["--seed", "42", "--tenants", "5", "--mailboxes", "7"]);
    let c = Emulator::start(&["--seed", "43", "--tenants", "5", "--mailboxes", "7"]);
    assert_eq!(a.info["customers"].as_array().unwrap().len(), 5);
    assert_eq!(a.info["customers"][4]["mailboxes"], 7);
    for k in [
        "partnerTenantId",
        "applicationId",
        "clientSecret",
        "refreshToken",
        "customers",
        "specialTenants",
    ] {
        assert_eq!(a.info[k], b.info[k], "{}", k);
    }
    assert_ne!(a.info["partnerTenantId"], c.info["partnerTenantId"]);
    assert_ne!(a.url, b.url, "each instance gets its own port");
    // The estate is deterministic too.
    let (t, _) = a.customer(2);
    let rows_a = a.invoke_all(
        &t,
        &a.exchange_token(&t),
        "Get-Mailbox",
        serde_json::json!({}),
    );
    let rows_b = b.invoke_all(
        &t,
        &b.exchange_token(&t),
        "Get-Mailbox",
        serde_json::json!({}),
    );
    assert_eq!(rows_a.len(), 7);
    assert_eq!(rows_a, rows_b);
}

fn run_bad(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn bad_arguments_exit_2_with_a_message_on_stderr() {
    for args in [
        vec!["--bogus"],
        vec!["--tenants", "many"],
        vec!["--mailboxes"],
        vec!["--faults", "gremlins=1"],
        vec!["--faults", "throttle=2"],
        vec!["--faults", "concurrency=0"],
        vec!["--max-page-size", "0"],
        vec!["--token-lifetime", "-5"],
        vec!["--listen", "not-an-address"],
        vec!["--listen", "0.0.0.0:0"],
        vec!["--listen", "8.8.8.8:0"],
    ] {
        let (code, out, err) = run_bad(&args);
        assert_eq!(code, 2, "{:?}: {}", args, err);
        assert!(out.is_empty(), "{:?} printed on stdout: {}", args, out);
        assert!(err.contains("exo-emulator:"), "{:?}: {}", args, err);
    }
    let (_, _, err) = run_bad(&["--listen", "0.0.0.0:0"]);
    assert!(err.contains("non-loopback"), "{}", err);
}

#[test]
fn flags_accept_equals_form_and_ipv6_loopback() {
    let emu = Emulator::start(&["--tenants=2", "--mailboxes=3"]);
    assert_eq!(emu.info["customers"].as_array().unwrap().len(), 2);
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        let v6 = Emulator::start(&["--listen", "[::1]:0"]);
        assert!(v6.url.starts_with("http://[::1]:"), "{}", v6.url);
        assert_eq!(v6.get("/_emulator/health").status, 200);
    }
}

#[test]
fn exits_0_when_stdin_closes_and_prints_nothing_else() {
    let mut emu = Emulator::start(&[]);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    assert_eq!(
        emu.invoke(&t, &tok, "Get-Mailbox", serde_json::json!({}))
            .status,
        200
    );
    let st = emu
        .close_stdin_and_wait(Duration::from_secs(10))
        .expect("exits after stdin EOF");
    assert!(st.success(), "{:?}", st);
    std::thread::sleep(Duration::from_millis(100));
    assert!(emu.extra_stdout().is_empty(), "{:?}", emu.extra_stdout());
}

#[test]
fn control_endpoints_and_stats_shape() {
    let emu = Emulator::start(&["--faults", "throttle=1,transient=1,reset=1,expired=1"]);
    // Never faulted.
    for _ in 0..5 {
        assert_eq!(emu.get("/_emulator/health").status, 200);
        let s = emu.stats();
        assert!(s["uptimeMs"].is_u64());
    }
    let s = emu.stats();
    for path in [
        "/uptimeMs",
        "/sinceResetMs",
        "/requests/total",
        "/requests/byEndpoint/token",
        "/requests/byEndpoint/devicecode",
        "/requests/byEndpoint/invokeCommand",
        "/requests/byEndpoint/control",
        "/requests/byCmdlet",
        "/requests/byTenant",
        "/requests/byStatus",
        "/bytesSent/total",
        "/bytesSent/byEndpoint/invokeCommand",
        "/busyMs/total",
        "/computeMs/total",
        "/records/total",
        "/pages/served",
        "/pages/nextLinksIssued",
        "/pages/nextLinksFollowed",
        "/pages/expiredLinks",
        "/pages/invalidLinks",
        "/pages/bodyMismatch",
        "/faults/total",
        "/faults/byKind/throttle",
        "/faults/byKind/concurrency",
        "/faults/byKind/transient",
        "/faults/byKind/reset",
        "/faults/byKind/expired",
        "/faults/transientAfterWrite",
        "/faults/resetAfterWrite",
        "/faults/byEndpoint",
        "/faults/byTenant",
        "/tokens/issued",
        "/tokens/byGrant/refresh_token",
        "/tokens/byGrant/client_credentials",
        "/tokens/byGrant/device_code",
        "/tokens/byTenant",
        "/tokens/errors",
        "/tokens/errorsByCode",
        "/auth/unauthorized",
        "/tokenTenantMismatch",
        "/writes/applied",
        "/writes/byCmdlet",
        "/writes/byTenant",
        "/writes/fingerprints",
        "/writes/duplicates",
        "/writes/log",
        "/concurrency/maxInFlight",
        "/concurrency/maxInFlightByTenant",
        "/rate/requestsPerSec",
        "/cmdletErrors",
    ] {
        assert!(s.pointer(path).is_some(), "stats lacks {}: {}", path, s);
    }
    assert_eq!(
        s["faults"]["total"], 0,
        "control endpoints are never faulted"
    );
    assert!(s["requests"]["byEndpoint"]["control"].as_u64().unwrap() >= 10);

    // reset-stats zeroes counters.
    emu.reset_stats();
    let s = emu.stats();
    assert_eq!(
        s["requests"]["byEndpoint"]["control"], 1,
        "only this stats call: {}",
        s["requests"]
    );
    assert!(s["sinceResetMs"].as_u64().unwrap() <= s["uptimeMs"].as_u64().unwrap());

    // Unknown paths and wrong methods.
    assert_eq!(emu.get("/nope").status, 404);
    assert_eq!(emu.get("/_emulator/nope").status, 404);
    assert_eq!(emu.get("/_emulator/revoke").status, 405);
    let (t, _) = emu.customer(0);
    assert_eq!(emu.get(&format!("/{}/oauth2/v2.0/token", t)).status, 405);
    assert_eq!(
        emu.get(&format!("/adminapi/beta/{}/InvokeCommand", t))
            .status,
        405
    );
    let r = emu.get(&format!("/{}/v2.0/.well-known/openid-configuration", t));
    assert_eq!(r.status, 200);
    assert!(r.json["token_endpoint"]
        .as_str()
        .unwrap()
        .ends_with("/oauth2/v2.0/token"));
}

#[test]
fn shutdown_endpoint_stops_the_process() {
    let mut emu = Emulator::start(&["--ignore-stdin"]);
    assert!(
        emu.close_stdin_and_wait(Duration::from_millis(400))
            .is_none(),
        "--ignore-stdin keeps serving"
    );
    assert_eq!(emu.get("/_emulator/health").status, 200);
    assert_eq!(emu.post("/_emulator/shutdown").status, 200);
    let st = emu
        .close_stdin_and_wait(Duration::from_secs(10))
        .expect("exits");
    assert!(st.success());
}
