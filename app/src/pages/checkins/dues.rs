//! 现场交纳党费 on the live screen: dues paid on site, with the standard of
//! the dues rules filled in and a word when less is paid, and who of those
//! expected has paid and who has not, by name, to export for the ledger.

use leptos::prelude::*;
use zhibu_shared::auth::IdName;
use zhibu_shared::checkin::{Attendance, Checkin, DuesPayment, DuesPaymentRequest, PaymentMethod};
use zhibu_shared::theme_day::{DuesBasis, dues_standard_fen, yuan};

use crate::api;
use crate::components::{
    BadgeTone, Button, ButtonVariant, Card, Chips, Field, Item, List, Loaded, status_view,
    use_toast,
};
use crate::i18n::{Strings, tr, use_i18n};
use crate::util;

/// Yuan as typed (`12.5`) to fen.
pub fn fen(text: &str) -> Option<i64> {
    let value: f64 = text.trim().parse().ok()?;
    (value >= 0.0).then(|| (value * 100.0).round() as i64)
}

fn basis(code: &str) -> Option<DuesBasis> {
    match code {
        "working" => Some(DuesBasis::Working),
        "retired" => Some(DuesBasis::Retired),
        "student" => Some(DuesBasis::StudentOrUnemployed),
        "floating" => Some(DuesBasis::FloatingWithoutIncome),
        _ => None,
    }
}

/// Each member expected, by name, with their payment for the day's month.
pub fn paid_list(
    members: &[IdName],
    payments: &[DuesPayment],
) -> Vec<(IdName, Option<DuesPayment>)> {
    let mut rows: Vec<(IdName, Option<DuesPayment>)> = members
        .iter()
        .map(|m| {
            let paid = payments.iter().find(|p| p.member.id == m.id).cloned();
            (m.clone(), paid)
        })
        .collect();
    rows.sort_by(|a, b| a.0.name.cmp(&b.0.name).then(a.0.id.cmp(&b.0.id)));
    rows
}

/// The list as CSV for the dues ledger: UTF-8 with a BOM, so Excel opens it.
pub fn dues_csv(t: &Strings, rows: &[(IdName, Option<DuesPayment>)]) -> String {
    let mut out = format!("\u{feff}{}\n", t.dues_csv_header);
    for (member, paid) in rows {
        let name = member.name.replace([',', '"', '\n'], " ");
        let line = match paid {
            Some(p) => {
                let method = match p.method {
                    PaymentMethod::Cash => t.dues_cash,
                    PaymentMethod::Transfer => t.dues_transfer,
                };
                format!(
                    "{name},{},{},{method}\n",
                    t.dues_paid_short,
                    yuan(p.amount_fen)
                )
            }
            None => format!("{name},{},,\n", t.dues_unpaid),
        };
        out.push_str(&line);
    }
    out
}

fn save_csv(text: &str, file_name: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        util::save_blob(&blob, file_name);
    }
}

#[component]
pub fn DuesCard(
    id: i64,
    attendance: Loaded<Attendance>,
    checkins: Loaded<Vec<Checkin>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let payments = LocalResource::new(move || api::theme_day_dues(id));
    let member = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let method = RwSignal::new("cash".to_owned());
    let basis_code = RwSignal::new(String::new());
    let income = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    // Everyone expected: those present and those absent.
    let members = move || {
        let mut all: Vec<IdName> = checkins.with(|c| match c {
            Some(Ok(c)) => c.iter().map(|c| c.member.clone()).collect(),
            _ => Vec::new(),
        });
        attendance.with(|a| {
            if let Some(Ok(a)) = a {
                all.extend(a.absent.iter().cloned());
            }
        });
        all.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        all.dedup_by_key(|m| m.id);
        all
    };
    let standard = move || {
        let basis = basis(&basis_code.get())?;
        let income = fen(&income.get()).unwrap_or_default();
        Some(dues_standard_fen(basis, income))
    };
    // The standard fills the amount, unless the secretary typed another.
    Effect::new(move |filled: Option<Option<i64>>| {
        let now = standard();
        let shown = amount.get_untracked();
        let untouched = shown.is_empty() || filled.flatten().map(yuan) == Some(shown);
        if let Some(standard_fen) = now
            && untouched
        {
            amount.set(yuan(standard_fen));
        }
        now
    });
    let below = move || match (standard(), fen(&amount.get())) {
        (Some(standard), Some(paid)) if paid < standard => Some(standard),
        _ => None,
    };
    let methods = Signal::derive(move || {
        let t = i18n.t();
        vec![
            ("cash".to_owned(), t.dues_cash.to_owned()),
            ("transfer".to_owned(), t.dues_transfer.to_owned()),
        ]
    });
    let bases = Signal::derive(move || {
        let t = i18n.t();
        ["", "working", "retired", "student", "floating"]
            .into_iter()
            .zip(t.dues_bases)
            .map(|(code, name)| (code.to_owned(), name.to_owned()))
            .collect()
    });
    let submit = move |_| {
        let t = i18n.t_untracked();
        let (Ok(member_id), Some(amount_fen)) = (
            member.get_untracked().parse::<i64>(),
            fen(&amount.get_untracked()),
        ) else {
            toaster.show(t.dues_missing);
            return;
        };
        let basis = basis(&basis_code.get_untracked());
        let request = DuesPaymentRequest {
            member_id,
            amount_fen,
            method: if method.get_untracked() == "transfer" {
                PaymentMethod::Transfer
            } else {
                PaymentMethod::Cash
            },
            basis,
            monthly_income_fen: basis.and(fen(&income.get_untracked())),
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::record_dues(id, &request).await;
            busy.set(false);
            match answer {
                Ok(paid) => {
                    toaster.show(format!(
                        "{} {} ¥{}",
                        t.dues_recorded,
                        paid.member.name,
                        yuan(paid.amount_fen)
                    ));
                    amount.set(String::new());
                    payments.refetch();
                }
                Err(e) => toaster.show(e.message(t)),
            }
        });
    };
    let rows = move || {
        payments.with(|p| match p {
            Some(Ok(p)) => paid_list(&members(), p),
            _ => Vec::new(),
        })
    };
    let items = move || {
        let t = i18n.t();
        rows()
            .into_iter()
            .map(|(m, paid)| Item {
                key: m.id.to_string(),
                title: m.name,
                sub: paid
                    .as_ref()
                    .map(|p| format!("¥{}", yuan(p.amount_fen)))
                    .unwrap_or_default(),
                badge: Some(match paid {
                    Some(_) => (t.dues_paid_short.to_owned(), BadgeTone::Success),
                    None => (t.dues_unpaid.to_owned(), BadgeTone::Muted),
                }),
                ..Item::default()
            })
            .collect::<Vec<_>>()
    };
    let summary = move || {
        let t = i18n.t();
        let rows = rows();
        let paid = rows.iter().filter(|(_, p)| p.is_some()).count();
        format!(
            "{} {paid} · {} {}",
            t.dues_paid_short,
            t.dues_unpaid,
            rows.len() - paid
        )
    };
    let export = move |_| {
        let t = i18n.t_untracked();
        save_csv(&dues_csv(t, &rows()), &format!("党费-{id}.csv"));
    };
    view! {
        <Card title=tr(|t| t.dues_title)>
            <label class="field">
                <span class="field-label">{tr(|t| t.dues_member)}</span>
                <select
                    class="field-input"
                    name="member"
                    on:change=move |event| member.set(event_target_value(&event))
                >
                    <option value="">{tr(|t| t.dues_choose)}</option>
                    {move || members().into_iter().map(|m| view! {
                        <option value=m.id.to_string()>{m.name}</option>
                    }).collect_view()}
                </select>
            </label>
            <Chips label=|t| t.dues_basis options=bases selected=basis_code/>
            <Field label=|t| t.dues_income name="income" inputmode="decimal" value=income/>
            {move || standard().map(|fen| {
                let hint = format!("{} ¥{}", i18n.t().dues_standard, yuan(fen));
                view! { <p class="muted form-hint">{hint}</p> }
            })}
            <Field label=|t| t.dues_amount name="amount" inputmode="decimal" value=amount/>
            {move || below().map(|fen| {
                let warning = format!("{} ¥{}", i18n.t().dues_below, yuan(fen));
                view! { <p class="form-error dues-below" role="alert">{warning}</p> }
            })}
            <Chips label=|t| t.dues_method options=methods selected=method/>
            <Button variant=ButtonVariant::Primary block=true loading=busy on_click=submit>
                {move || if below().is_some() { i18n.t().dues_submit_anyway } else { i18n.t().dues_submit }}
            </Button>
        </Card>
        <Card title=tr(|t| t.dues_list_title)>
            {move || payments.with(status_view)}
            <p class="muted dues-summary">{summary}</p>
            <List items=items/>
            <Button on_click=export>{tr(|t| t.export_csv)}</Button>
        </Card>
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::i18n::ZH;

    #[test]
    fn yuan_typed_by_the_secretary_become_fen() {
        assert_eq!(fen("12.5"), Some(1250));
        assert_eq!(fen(" 3 "), Some(300));
        assert_eq!(fen("0.1"), Some(10));
        assert_eq!(fen("0"), Some(0));
        assert_eq!(fen("-1"), None);
        assert_eq!(fen("十元"), None);
        assert_eq!(fen(""), None);
    }

    #[test]
    fn dues_bases_are_chosen_by_their_chip_codes() {
        assert_eq!(basis("working"), Some(DuesBasis::Working));
        assert_eq!(basis("retired"), Some(DuesBasis::Retired));
        assert_eq!(basis("student"), Some(DuesBasis::StudentOrUnemployed));
        assert_eq!(basis("floating"), Some(DuesBasis::FloatingWithoutIncome));
        assert_eq!(basis(""), None);
    }

    fn member(id: i64, name: &str) -> IdName {
        IdName {
            id,
            name: name.to_owned(),
        }
    }

    fn payment(member: IdName, amount_fen: i64) -> DuesPayment {
        serde_json::from_value(serde_json::json!({
            "id": 1, "member": member, "month": "2026-12", "amount_fen": amount_fen,
            "method": "cash", "standard_fen": null, "at": "2026-12-03T09:00:00+08:00"
        }))
        .unwrap()
    }

    #[test]
    fn the_paid_list_names_everyone_expected_by_name_with_their_payment() {
        let (a, b) = (member(2, "王芳"), member(1, "李强"));
        let rows = paid_list(&[a.clone(), b.clone()], &[payment(a.clone(), 1250)]);
        assert_eq!(rows[0].0, b);
        assert!(rows[0].1.is_none());
        assert_eq!(rows[1].1.as_ref().map(|p| p.amount_fen), Some(1250));
        let csv = dues_csv(&ZH, &rows);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], ZH.dues_csv_header);
        assert_eq!(lines[1], format!("李强,{},,", ZH.dues_unpaid));
        assert_eq!(
            lines[2],
            format!("王芳,{},12.50,{}", ZH.dues_paid_short, ZH.dues_cash)
        );
        assert_eq!(payment(a, 1).method, PaymentMethod::Cash);
    }
}
