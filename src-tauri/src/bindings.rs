//! The UI's TypeScript types, generated from the Rust types the commands take and answer (ts-rs),
//! into `ui/src/lib/generated/types.ts`. The UI imports them rather than copying them by hand.
//!
//! `cargo xtask bindings` writes the file; the test below (so `cargo xtask test`) fails when the
//! committed file is not what the Rust types say.

use std::collections::BTreeMap;

use ts_rs::{Config, TS, TypeVisitor};

/// Where the generated types go, from the workspace root.
pub const GENERATED: &str = "ui/src/lib/generated/types.ts";

/// Every type a command takes or answers; what they refer to comes along.
fn roots(visitor: &mut Declarations) {
    use tillbook_core::catalog::{LaundryService, Product};
    use tillbook_core::documents::{CashMovementKind, JobStatus, PaidFrom, TenderInput};
    use tillbook_core::protocol::{ResolveResponse, SessionLine, TillEnrolment, UserLine, UserRole};
    use tillbook_till::lookups::{CustomerSummary, ExpenseAccount, QuarantinedEvent, ReceiptSummary, SoldReceipt};
    use tillbook_till::owner::maintenance::{
        BusinessForm, CustomerForm, CylinderForm, ProductForm, ServiceForm, StaffForm, SupplierForm, UserForm,
    };
    use tillbook_till::owner::review::{EntryTotals, FormLine, ResolveForm};
    use tillbook_till::owner::{OwnerAccount, ReportCopy, SignedOut};
    use tillbook_till::reports::{CustomerAccount, LaundryJobSummary};
    use tillbook_till::*;

    use crate::commands::counter::CylinderView;
    use crate::commands::drawer::{DayCloseView, TodayView};
    use crate::commands::{BusinessView, SessionView, SetupState, ShiftView, SyncView, TillView};
    use crate::state::UiError;

    visitor.visit::<UiError>();
    visitor.visit::<SetupState>();
    visitor.visit::<TillView>();
    visitor.visit::<BusinessView>();
    visitor.visit::<SessionView>();
    visitor.visit::<ShiftView>();
    visitor.visit::<SyncView>();
    visitor.visit::<staff::StaffMember>();
    visitor.visit::<backup::Restored>();
    visitor.visit::<backup::BackupFile>();
    visitor.visit::<QuarantinedEvent>();
    visitor.visit::<Product>();
    visitor.visit::<SaleLineRequest>();
    visitor.visit::<SaleRequest>();
    visitor.visit::<SaleQuote>();
    visitor.visit::<receipt::ReceiptView>();
    visitor.visit::<TenderInput>();
    visitor.visit::<CylinderView>();
    visitor.visit::<LpgRequest>();
    visitor.visit::<DepositBackRequest>();
    visitor.visit::<LpgQuote>();
    visitor.visit::<LaundryService>();
    visitor.visit::<LaundryJobSummary>();
    visitor.visit::<DropOffRequest>();
    visitor.visit::<JobStatus>();
    visitor.visit::<CustomerSummary>();
    visitor.visit::<CustomerAccount>();
    visitor.visit::<ReceiptSummary>();
    visitor.visit::<SoldReceipt>();
    visitor.visit::<RefundRequest>();
    visitor.visit::<ExpenseAccount>();
    visitor.visit::<PaidFrom>();
    visitor.visit::<CashMovementKind>();
    visitor.visit::<CashCount>();
    visitor.visit::<ShiftReport>();
    visitor.visit::<DayCloseView>();
    visitor.visit::<TodayView>();
    visitor.visit::<OwnerAccount>();
    visitor.visit::<ReportCopy>();
    visitor.visit::<ResolveForm>();
    visitor.visit::<FormLine>();
    visitor.visit::<EntryTotals>();
    visitor.visit::<ResolveResponse>();
    visitor.visit::<ProductForm>();
    visitor.visit::<BusinessForm>();
    visitor.visit::<ServiceForm>();
    visitor.visit::<CylinderForm>();
    visitor.visit::<CustomerForm>();
    visitor.visit::<SupplierForm>();
    visitor.visit::<tillbook_till::owner::office::ExpenseForm>();
    visitor.visit::<tillbook_till::owner::office::TransferForm>();
    visitor.visit::<tillbook_till::owner::office::CreditForm>();
    visitor.visit::<tillbook_till::owner::office::SupplierPaymentForm>();
    visitor.visit::<tillbook_till::owner::office::GoodsForm>();
    visitor.visit::<tillbook_till::CreditOutcome>();
    visitor.visit::<tillbook_core::catalog::Supplier>();
    visitor.visit::<StockReceiptRequest>();
    visitor.visit::<PurchaseQuote>();
    visitor.visit::<SupplierPaymentRequest>();
    visitor.visit::<StaffForm>();
    visitor.visit::<TillEnrolment>();
    visitor.visit::<tillbook_core::protocol::EtimsSetUpRequest>();
    visitor.visit::<UserRole>();
    visitor.visit::<UserLine>();
    visitor.visit::<UserForm>();
    visitor.visit::<SessionLine>();
    visitor.visit::<SignedOut>();
}

/// Collects the declaration of every type visited and of everything it refers to, by name.
struct Declarations {
    config: Config,
    found: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Only declared types (not strings, numbers, arrays) have a place to be exported to.
        if T::output_path().is_none() {
            T::visit_generics(self);
            return;
        }
        let name = T::name(&self.config);
        if self.found.contains_key(&name) {
            return;
        }
        self.found.insert(name, format!("export {}", T::decl(&self.config)));
        T::visit_dependencies(self);
    }
}

/// The generated file's text.
pub fn render() -> String {
    // JSON numbers: the counts and sequence numbers on the wire are plain numbers.
    let mut declarations = Declarations { config: Config::new().with_large_int("number"), found: BTreeMap::new() };
    roots(&mut declarations);
    let mut text = String::from(
        "// Generated from the Rust types by `cargo xtask bindings` (src-tauri/src/bindings.rs): do not edit.\n\n",
    );
    for declaration in declarations.found.values() {
        text.push_str(declaration.trim_end());
        text.push_str("\n\n");
    }
    format!("{}\n", text.trim_end())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The committed types are what the Rust types say (or, with `TILLBOOK_WRITE_BINDINGS=1`,
    /// become so).
    #[test]
    fn the_ui_types_are_generated_from_the_rust_types() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(super::GENERATED);
        let text = super::render();
        if std::env::var_os("TILLBOOK_WRITE_BINDINGS").is_some() {
            std::fs::write(&path, &text).expect("the generated types are written");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(committed == text, "{} is stale: run `cargo xtask bindings` and commit it", super::GENERATED);
    }
}
