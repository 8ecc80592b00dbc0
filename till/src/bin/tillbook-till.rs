//! `tillbook-till`: a till on the command line, over the same store the desktop app uses.
//!
//! - `demo`      — a fresh demo till with a day of work, and its figures (what `cargo xtask run` shows);
//! - `figures`   — the figures of an existing till's store;
//! - `simulate`  — records sales one after another, printing each `device_seq` as it commits:
//!   the load the crash-safety test kills mid-write;
//! - `backup`    — copies the store into a backup folder (what the app does every night);
//! - `restore FILE` — puts a backup in place of a damaged store, numbering on after what head
//!   office already holds.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::seed;
use tillbook_till::demo::{cash, create_demo_till, demo_login, money, quantity, record_demo_day};
use tillbook_till::{SaleLineRequest, SaleRequest, Till};

#[derive(Parser)]
#[command(name = "tillbook-till", about = "A Tillbook till's local store on the command line")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates a fresh demo till in DATA_DIR, records a day of work and prints its figures.
    Demo {
        #[arg(long, env = "TILLBOOK_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Prints the figures of the till whose store is in DATA_DIR.
    Figures {
        #[arg(long, env = "TILLBOOK_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Records up to COUNT three-line water sales into STORE (created as a demo water till if new).
    Simulate {
        #[arg(long)]
        store: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
    },
    /// Backs up the store in DATA_DIR into FOLDER (checked; the newest 7 are kept).
    Backup {
        #[arg(long, env = "TILLBOOK_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        to: PathBuf,
    },
    /// Restores FILE (a backup) as the store in DATA_DIR. The old store is moved aside, never
    /// deleted. An enrolled till asks head office how far it got first: connect before restoring.
    Restore {
        file: PathBuf,
        #[arg(long, env = "TILLBOOK_DATA_DIR")]
        data_dir: PathBuf,
    },
}

const STORE_FILE: &str = "till.sqlite";

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Demo { data_dir } => {
            std::fs::create_dir_all(&data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
            let path = data_dir.join(STORE_FILE);
            for suffix in ["", "-wal", "-shm"] {
                let file = PathBuf::from(format!("{}{suffix}", path.display()));
                if file.exists() {
                    std::fs::remove_file(&file).with_context(|| format!("removing the old demo {}", file.display()))?;
                }
            }
            let mut till =
                create_demo_till(&path, "D1", &[BusinessKind::Water, BusinessKind::Laundry, BusinessKind::Retail])?;
            record_demo_day(&mut till)?;
            println!("Demo till D1 in {}", path.display());
            println!(
                "Staff PINs: {}",
                seed::demo_staff().iter().map(|s| format!("{} {}", s.name, s.pin)).collect::<Vec<_>>().join(", ")
            );
            print_figures(&till)
        }
        Command::Figures { data_dir } => print_figures(&Till::open(&data_dir.join(STORE_FILE))?),
        Command::Simulate { store, count } => simulate(&store, count),
        Command::Backup { data_dir, to } => {
            let backup =
                tillbook_till::backup::back_up(&data_dir.join(STORE_FILE), &to, chrono::Local::now().fixed_offset())?;
            println!("{} ({} bytes, events through {})", backup.path.display(), backup.bytes, backup.last_device_seq);
            Ok(())
        }
        Command::Restore { file, data_dir } => {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let restored = runtime.block_on(tillbook_till::sync::restore(&file, &data_dir.join(STORE_FILE)))?;
            println!("Restored {}: it holds events through {}.", file.display(), restored.backup_last_seq);
            if restored.acked_through > restored.backup_last_seq {
                println!(
                    "Head office already has events through {}: they stay in its books; this till goes on from {}.",
                    restored.acked_through, restored.next_device_seq
                );
            }
            match restored.lost_events {
                Some(0) => println!("Nothing recorded after the backup was lost."),
                Some(lost) => {
                    println!("{lost} event(s) recorded after the backup never reached head office and are gone.")
                }
                None => println!("The damaged store could not say what was recorded after the backup."),
            }
            if let Some(aside) = restored.damaged_store {
                println!("The damaged store was kept as {}.", aside.display());
            }
            Ok(())
        }
    }
}

fn print_figures(till: &Till) -> Result<()> {
    let data = seed::demo();
    for business in data.businesses.iter().filter(|b| till.info().business_ids.contains(&b.id)) {
        let sales = till.todays_sales(business.id)?;
        println!("\n{} — {}", business.name, sales.business_day);
        println!(
            "  sales {} ({} receipts), refunds {}, net {}; cash {}, M-Pesa {}, credit {}",
            sales.gross_sales, sales.sales_count, sales.refunds, sales.net_sales, sales.cash, sales.mpesa, sales.credit
        );
        for level in till.stock_levels(business.id)? {
            println!("  stock  {:<28} {:>8} {}", level.name, level.quantity.to_string(), level.unit);
        }
        for cylinders in till.cylinder_stock(business.id)?.iter().filter(|c| c.full != 0 || c.empty != 0) {
            println!(
                "  LPG    {} kg {:<10} full {:>3}  empty {:>3}",
                cylinders.size_kg, cylinders.brand, cylinders.full, cylinders.empty
            );
        }
        for job in till.open_laundry_jobs(business.id)? {
            println!(
                "  job    {} {:<12} {:?} total {} paid {} due {}",
                job.ticket_number, job.customer_name, job.status, job.total, job.paid, job.balance
            );
        }
    }
    if let Some(expected) = till.expected_cash_in_drawer()? {
        println!("\nCash expected in the drawer: {expected}");
    }
    let balance = till.trial_balance()?;
    println!("\nLocal trial balance (provisional):");
    for row in &balance.rows {
        println!("  {} {:<42} {:>12} {:>12}", row.account, row.name, row.debit.to_string(), row.credit.to_string());
    }
    println!("  {:<47} {:>12} {:>12}", "total", balance.total_debit.to_string(), balance.total_credit.to_string());
    let outbox = till.outbox_counts()?;
    println!("\nOutbox: {} pending, {} posted, {} quarantined", outbox.pending, outbox.posted, outbox.quarantined);
    Ok(())
}

/// Records sales until killed (or COUNT is reached), printing each committed device_seq.
fn simulate(store: &std::path::Path, count: u64) -> Result<()> {
    let mut till = match Till::open(store) {
        Ok(till) => till,
        Err(tillbook_till::TillError::NotSetUp) => create_demo_till(store, "W1", &[BusinessKind::Water])?,
        Err(error) => return Err(error.into()),
    };
    let cashier = demo_login(&till, Role::Cashier)?;
    if till.expected_cash_in_drawer()?.is_none() {
        till.open_shift(&cashier, money("1000"))?;
    }
    let products: Vec<_> =
        seed::demo().products.into_iter().filter(|p| p.business_id == cashier.business_id).map(|p| p.id).collect();
    let mut out = std::io::stdout().lock();
    for n in 0..count {
        let pick = |k: u64| products[usize::try_from((n + k) % products.len() as u64).expect("small index")];
        let sale = till.record_sale(
            &cashier,
            &SaleRequest {
                lines: (0..3)
                    .map(|k| SaleLineRequest {
                        product_id: pick(k),
                        quantity: quantity("1"),
                        discount: Default::default(),
                    })
                    .collect(),
                tenders: vec![cash("1000")],
            },
        )?;
        writeln!(out, "{}", sale.recorded.device_seq)?;
        out.flush()?;
    }
    Ok(())
}
