//! The one shape of every closed vocabulary of the API: a snake_case code
//! on the wire and the Chinese name used on paper.

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "db", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
        #[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "Text"))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $(#[cfg_attr(feature = "db", sea_orm(string_value = $code))] $variant,)+ }

        impl crate::vocabulary::Vocabulary for $name {
            fn code(self) -> &'static str {
                $name::code(self)
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The API's snake_case code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The Chinese name used on paper and in rosters.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            pub fn from_zh(zh: &str) -> Option<$name> {
                match zh { $($zh => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

pub(crate) use vocabulary;

/// What every closed vocabulary has: its wire code, which is also the value
/// stored in the database.
pub trait Vocabulary: Copy {
    fn code(self) -> &'static str;
}
