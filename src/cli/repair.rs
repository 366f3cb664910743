//! `walrec repair`: say what a crash left at the end of a WAL, then cut it.

use walrec::wal::Repair;

use super::{CliError, RepairArgs};

pub fn run(args: &RepairArgs) -> Result<(), CliError> {
    let repair = Repair::plan(&args.dir).map_err(|e| CliError::from_wal("--dir", e))?;
    for path in repair.unfinished() {
        println!(
            "delete {} (an unfinished segment creation: a header, no events)",
            path.display()
        );
    }
    match repair.cut() {
        Some(cut) => println!("cut {cut}"),
        None if repair.unfinished().is_empty() => {
            println!("nothing to cut: the WAL ends with an intact event")
        }
        None => {}
    }
    repair.apply().map_err(|e| CliError::Runtime(e.to_string()))
}
