//! The live view in headless Chromium, driven over WebDriver
//! (chromedriver): the page shows the gateway's endpoints, a connection
//! created while the page is open appears without a reload, the message
//! list shows the CRCX, and a screenshot shows a rendered page.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`
//! (`scripts/setup` installs them). Without them the test is skipped,
//! unless MGCP_REQUIRE_PEERS=1 (as `scripts/test` sets) makes it fail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use support::{Agent, Daemon, param};

struct Driver {
    child: Child,
    url: String,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.url, self.session)).call();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(program: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .map(|p| p.to_string_lossy().to_string())
}

fn post(url: &str, body: Value) -> Value {
    let mut r = ureq::post(url)
        .send_json(body)
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    r.body_mut().read_json::<Value>().unwrap()["value"].clone()
}

impl Driver {
    fn start(chromium: &str, chromedriver: &str) -> Driver {
        let mut child = Command::new(chromedriver)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut port = None;
        let mut line = String::new();
        for _ in 0..20 {
            line.clear();
            if out.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(rest) = line.split("successfully on port ").nth(1) {
                port = Some(rest.trim().trim_end_matches('.').to_string());
                break;
            }
        }
        std::thread::spawn(move || {
            let mut sink = String::new();
            while out.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        let url = format!(
            "http://127.0.0.1:{}",
            port.expect("chromedriver did not start")
        );
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,900"]
            }
        }}});
        let session = post(&format!("{url}/session"), caps)["sessionId"]
            .as_str()
            .expect("no WebDriver session")
            .to_string();
        Driver {
            child,
            url,
            session,
        }
    }

    fn go(&self, page: &str) {
        post(
            &format!("{}/session/{}/url", self.url, self.session),
            json!({"url": page}),
        );
    }

    fn script(&self, script: &str) -> Value {
        post(
            &format!("{}/session/{}/execute/sync", self.url, self.session),
            json!({"script": script, "args": []}),
        )
    }

    /// Polls `script` until `ok` holds (10 s at most).
    fn wait_for(&self, script: &str, ok: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self.script(script);
            if ok(&v) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out; last value {v}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self) -> Vec<u8> {
        let mut r = ureq::get(&format!("{}/session/{}/screenshot", self.url, self.session))
            .call()
            .unwrap();
        let v: Value = r.body_mut().read_json().unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(v["value"].as_str().unwrap())
            .unwrap()
    }
}

const SECTION_TEXT: &str = "const s = [...document.querySelectorAll('section[data-table]')]\
    .find(x => x.dataset.table === arguments[0]); return s ? s.innerText : null;";

fn section(d: &Driver, title: &str) -> impl Fn() -> String {
    let script = format!("arguments[0] = {title:?}; {SECTION_TEXT}");
    let script = script
        .replace("arguments[0] = ", "const title = ")
        .replace("arguments[0]", "title");
    move || d.script(&script).as_str().unwrap_or("").to_string()
}

#[test]
fn the_live_view_shows_real_data_and_updates_live() {
    let (Some(chromium), Some(chromedriver)) = (find("chromium"), find("chromedriver")) else {
        assert!(
            std::env::var("MGCP_REQUIRE_PEERS").as_deref() != Ok("1"),
            "chromium and chromedriver are required (run scripts/setup)"
        );
        eprintln!("skipped: chromium or chromedriver missing (run scripts/setup)");
        return;
    };
    let mut ca = Agent::new();
    let gw = Daemon::start(&[
        "gateway",
        "--bind",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--no-rsip",
        "--call-agent",
        &ca.addr(),
        "--http",
        "127.0.0.1:0",
        "--live-view",
    ]);
    let (mg, http) = (gw.addr("MGCP on "), gw.addr("HTTP on "));
    let driver = Driver::start(&chromium, &chromedriver);
    driver.go(&format!("http://{http}/"));

    // The page has loaded the gateway's state: its title and endpoints.
    driver.wait_for("return document.body.dataset.loaded === 'true'", |v| {
        v == &json!(true)
    });
    assert_eq!(
        driver.script("return document.title"),
        json!("mgcp gateway gw.example.net")
    );
    let endpoints = section(&driver, "Endpoints")();
    assert!(
        endpoints.contains("aaln/1@gw.example.net") && endpoints.contains("idle"),
        "{endpoints}"
    );
    assert!(section(&driver, "Connections")().contains("no connections"));

    // A connection made now shows up on the open page.
    let r = ca.command(
        &mg,
        "CRCX {tid} aaln/3@gw.example.net MGCP 1.0\nC: FEED42\nM: recvonly\n",
    );
    let conn = param(&r, "I").unwrap().to_string();
    let connections = section(&driver, "Connections");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !connections().contains(&conn) {
        assert!(
            Instant::now() < deadline,
            "the connection never appeared: {}",
            connections()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(connections().contains("FEED42") && connections().contains("recvonly"));
    assert!(section(&driver, "Calls")().contains("FEED42"));
    let messages = driver.wait_for(
        "return document.getElementById('messages').innerText",
        |v| v.as_str().is_some_and(|t| t.contains("CRCX")),
    );
    assert!(messages.as_str().unwrap().contains("200"), "{messages}");
    let card = driver.script(
        "return document.querySelector('.card[data-label=\"Connections\"] .value').textContent",
    );
    assert_eq!(card, json!("1"));

    // The screenshot is a rendered page, not a blank one.
    let png = driver.screenshot();
    let target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("live-view.png");
    std::fs::write(&target, &png).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert!(
        info.width >= 1000 && info.height >= 600,
        "{}x{}",
        info.width,
        info.height
    );
    let step = info.color_type.samples();
    let mut colours = std::collections::HashSet::new();
    let mut dark = 0usize;
    for px in pixels[..info.buffer_size()].chunks(step) {
        colours.insert(px[..3].to_vec());
        if px[..3].iter().all(|&c| c < 80) {
            dark += 1;
        }
    }
    // Text and the header bar: many colours (anti-aliasing) and dark pixels.
    assert!(
        colours.len() > 50,
        "only {} colours: {}",
        colours.len(),
        target.display()
    );
    assert!(
        dark > 10_000,
        "only {dark} dark pixels: {}",
        target.display()
    );
}
