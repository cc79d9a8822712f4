//! The app's small design system. Styles live in `public/app.css` (the CSP
//! forbids inline styles), one block per component.

pub mod action;
pub mod badge;
pub mod button;
pub mod card;
pub mod cell;
pub mod chips;
pub mod empty;
pub mod field;
pub mod list;
pub mod load;
pub mod select;
pub mod toast;

pub use action::{act, error_line};
pub use badge::{Badge, BadgeTone};
pub use button::{Button, ButtonVariant};
pub use card::Card;
pub use cell::{Cell, CellGroup};
pub use chips::Chips;
pub use empty::Empty;
pub use field::Field;
pub use list::{Item, List};
pub use load::{KeptData, Loaded, kept, later, next_task, status_view};
pub use select::Select;
pub use toast::{ToastHost, Toaster, provide_toaster, use_toast};
