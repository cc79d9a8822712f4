//! Small builders the migrations share: a CHECK that a column holds one of
//! a vocabulary's codes, and a foreign key.

use sea_orm_migration::prelude::*;

/// `column IN (values)`, or NULL too when `nullable`.
pub(crate) fn one_of(
    column: impl IntoIden + Copy + 'static,
    values: &[&str],
    nullable: bool,
) -> SimpleExpr {
    let listed = Expr::col(column).is_in(values.iter().map(|v| (*v).to_owned()));
    if nullable {
        Expr::col(column).is_null().or(listed)
    } else {
        listed
    }
}

/// A foreign key from `(table, column)` to `(table, column)`.
pub(crate) fn fk(
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}
