//! Identifiers: UUID v7 (time-ordered, so new rows land at the end of an index), generated where
//! the thing is created — usually the till, with no server needed (DESIGN §3).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map(Self)
            }
        }
    };
}

id_type!(/// One business of the group: the water shop, the laundry, the retail shop.
    BusinessId);
id_type!(/// One till (an enrolled device).
    DeviceId);
id_type!(/// A member of staff.
    StaffId);
id_type!(/// A customer, shared across businesses.
    CustomerId);
id_type!(/// A product sold over the counter (water sizes, retail items).
    ProductId);
id_type!(/// A laundry service type (wash per kg, dry-clean per piece, …).
    LaundryServiceId);
id_type!(/// A kind of LPG cylinder: size and brand.
    CylinderTypeId);
id_type!(/// Someone the group buys from, shared across businesses.
    SupplierId);
id_type!(/// A business document: a sale, a laundry job, a payment, an expense, … An invoice shares
    /// the id of the credit sale or laundry job it comes from.
    DocumentId);
id_type!(/// An outbox event.
    EventId);
id_type!(/// A journal entry.
    EntryId);
id_type!(/// A cashier's shift at a till.
    ShiftId);
