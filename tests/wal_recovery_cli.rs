//! `walrec` against damaged and unusual WAL directories: recovery modes and their exit codes,
//! `repair`, the directory lock, special files, `--from-event` past the end, missing first
//! segments, and a full disk.

use support::segment_layout::{block_start, segment_bytes};
mod support;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use support::wal::{generate_with, path_str, replay_ids, segment_files, text, walrec, walrec_cmd};
use walrec::wal::{RecoveryMode, SegmentWriter, WriterOptions};

/// `events` events through the CLI, `blocks` full blocks per segment.
fn generate(dir: &Path, events: u64, blocks: u64, extra: &[&str]) -> std::process::Output {
    generate_with(dir, events, segment_bytes(blocks), extra)
}

fn replay(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["replay", "--dir", path_str(dir), "--telemetry", "off"];
    args.extend(extra);
    walrec(&args)
}

/// A WAL whose last segment is unsealed with a torn tail: 500 events synced, then garbage.
fn torn_wal(dir: &Path) -> std::path::PathBuf {
    let opts = WriterOptions {
        segment_bytes: segment_bytes(3),
        sync_every_events: 10,
        ..WriterOptions::default()
    };
    let mut writer = SegmentWriter::create(dir, opts).unwrap();
    for id in 1..=500u64 {
        writer.append(id, 1, &id.to_le_bytes()).unwrap();
    }
    writer.sync().unwrap();
    drop(writer); // a crash: the last segment stays unsealed
    let last = segment_files(dir).pop().unwrap();
    let mut file = fs::OpenOptions::new().append(true).open(&last).unwrap();
    file.write_all(&[0xA5; 300]).unwrap();
    last
}

#[test]
fn recovery_modes_on_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let last = torn_wal(dir.path());
    let len = fs::metadata(&last).unwrap().len();
    let out = replay(dir.path(), &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("replayed 500 events (events 1..=500) from "),
        "{stderr}"
    );
    let warning = format!(
        "discarded {}: 300 bytes from byte {} of an unsealed segment",
        last.display(),
        len - 300
    );
    assert!(stderr.contains(&warning), "{stderr}");

    let out = replay(dir.path(), &["--recovery-mode", "absolute"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&last.display().to_string()), "{stderr}");
    // The torn block starts at len - 300; its event_count field, 12 bytes in, is what is wrong.
    assert!(
        stderr.contains(&format!("at byte {}", len - 300 + 12)),
        "{stderr}"
    );

    let out = replay(dir.path(), &["--recovery-mode", "point-in-time"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("replayed 500 events"));
}

#[test]
fn point_in_time_stops_at_a_corrupt_middle_segment_where_the_others_fail() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), 1000, 3, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let victim = &segment_files(dir.path())[2]; // events 385..=576
    let mut bytes = fs::read(victim).unwrap();
    let at = block_start(1) as usize + 100; // inside its second block: events 449.. are lost
    bytes[at] ^= 0xFF;
    fs::write(victim, &bytes).unwrap();
    for mode in ["tolerate-tail", "absolute"] {
        let out = replay(dir.path(), &["--recovery-mode", mode]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{mode}: {stderr}");
        assert!(
            stderr.contains(&format!("{} at byte {}", victim.display(), block_start(1))),
            "{mode}: {stderr}"
        );
    }
    let out = replay(dir.path(), &["--recovery-mode", "point-in-time"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("replayed 448 events (events 1..=448)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: point-in-time recovery stopped at"),
        "{stderr}"
    );
    assert!(stderr.contains(&victim.display().to_string()), "{stderr}");
}

#[test]
fn repair_cuts_the_torn_tail_and_append_continues() {
    let dir = tempfile::tempdir().unwrap();
    let last = torn_wal(dir.path());
    let len = fs::metadata(&last).unwrap().len();
    let out = walrec(&["repair", "--dir", path_str(dir.path())]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!(
            "cut {}: 300 bytes from byte {}",
            last.display(),
            len - 300
        )),
        "{stdout}"
    );
    assert_eq!(fs::metadata(&last).unwrap().len(), len - 300);
    let out = walrec(&["repair", "--dir", path_str(dir.path())]);
    assert!(
        text(&out.stdout).contains("nothing to cut"),
        "{}",
        text(&out.stdout)
    );

    let out = generate(dir.path(), 100, 3, &["--append"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let replay = replay_ids(dir.path(), RecoveryMode::Absolute).unwrap();
    assert_eq!(replay.ids, (1..=600).collect::<Vec<_>>());
}

#[test]
fn a_second_writer_or_repair_is_refused_naming_the_lock_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut holder = SegmentWriter::create(dir.path(), WriterOptions::default()).unwrap();
    holder.append(1, 1, b"x").unwrap();
    let lock = dir.path().join("walrec.lock");
    for args in [
        vec![
            "generate",
            "--append",
            "--dir",
            path_str(dir.path()),
            "--events",
            "5",
        ],
        vec!["repair", "--dir", path_str(dir.path())],
    ] {
        let out = walrec(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(&lock.display().to_string()), "{stderr}");
        assert!(
            stderr.contains(&format!("(process {})", std::process::id())),
            "{stderr}"
        );
    }
    holder.finish().unwrap();
    let out = generate(dir.path(), 5, 3, &["--append"]);
    assert!(
        out.status.success(),
        "after the holder finished: {}",
        text(&out.stderr)
    );
}

/// Runs `walrec` with a deadline, killing it (by PID) if it hangs.
fn run_bounded(args: &[&str], limit: Duration) -> std::process::Output {
    let mut child = walrec_cmd(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("walrec {args:?} hung for {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_fifo_or_socket_named_like_a_segment_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    assert!(generate(dir.path(), 300, 3, &[]).status.success());
    let fifo = dir.path().join("segment-0000000009.wal");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let out = run_bounded(
        &[
            "replay",
            "--dir",
            path_str(dir.path()),
            "--telemetry",
            "off",
        ],
        Duration::from_secs(20),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{} is a FIFO", fifo.display())),
        "{stderr}"
    );
    fs::remove_file(&fifo).unwrap();

    let socket = dir.path().join("segment-0000000009.wal");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let out = run_bounded(
        &[
            "replay",
            "--dir",
            path_str(dir.path()),
            "--telemetry",
            "off",
        ],
        Duration::from_secs(20),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{} is a socket", socket.display())),
        "{stderr}"
    );
}

#[test]
fn from_event_past_the_last_id_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    assert!(generate(dir.path(), 300, 3, &[]).status.success());
    let out = replay(dir.path(), &["--from-event", "301"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--from-event: event 301 is past the last event"),
        "{stderr}"
    );
    assert!(stderr.contains("which is 300"), "{stderr}");
    let out = replay(dir.path(), &["--from-event", "300"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("replayed 1 events (events 300..=300)"));
}

#[test]
fn missing_first_segments_are_a_warning_with_the_first_id_found() {
    let dir = tempfile::tempdir().unwrap();
    assert!(generate(dir.path(), 1000, 3, &[]).status.success());
    let files = segment_files(dir.path());
    fs::remove_file(&files[0]).unwrap();
    fs::remove_file(&files[1]).unwrap();
    let out = replay(dir.path(), &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: the WAL starts at segment index 2"),
        "{stderr}"
    );
    assert!(stderr.contains("the first event found is 385"), "{stderr}");
    assert!(
        stderr.contains("replayed 616 events (events 385..=1000)"),
        "{stderr}"
    );
}

/// Mounts a 1 MiB tmpfs at `at` (root only); `None` if that is not possible here.
fn small_tmpfs(at: &Path) -> Option<()> {
    let status = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs", path_str(at)])
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    status.success().then_some(())
}

#[test]
fn a_full_disk_leaves_a_wal_that_recovery_accepts() {
    let mount = tempfile::tempdir().unwrap();
    if small_tmpfs(mount.path()).is_none() {
        eprintln!(
            "SKIPPED: cannot mount a small tmpfs here (needs root and mount rights); the disk-full case is not tested"
        );
        return;
    }
    let dir = mount.path().join("wal");
    let out = generate(
        &dir,
        10_000_000,
        1000,
        &["--sync-every", "64", "--print-durable"],
    );
    let durable = text(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("durable ")?.parse::<u64>().ok())
        .max();
    let replay_result = replay_ids(&dir, RecoveryMode::TolerateTail);
    let cli = replay(&dir, &[]);
    let umount = std::process::Command::new("umount")
        .arg(mount.path())
        .status();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("segment-0000000000.wal"),
        "the error names the file: {stderr}"
    );
    assert!(stderr.contains("No space left on device"), "{stderr}");
    let replayed = replay_result.expect("tolerate-tail accepts what a full disk left");
    let durable = durable.expect("some events were durable before the disk filled");
    assert!(
        replayed.ids.len() as u64 >= durable,
        "{} < {durable}",
        replayed.ids.len()
    );
    assert_eq!(cli.status.code(), Some(0), "{}", text(&cli.stderr));
    assert!(umount.is_ok_and(|s| s.success()), "umount the test tmpfs");
}
