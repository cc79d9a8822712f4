//! 设岗定责: the branch's posts, who holds each, and what was done on them
//! this quarter (counts of the post, never a ranking of its holders).

use leptos::prelude::*;
use zhibu_shared::api::Page;
use zhibu_shared::classes::{Post, PostRequest};
use zhibu_shared::org::{MemberCategory, MemberSummary};

use super::{act, error_line, has, member_options};
use crate::api;
use crate::components::{Button, Card, Field, Item, List, Loaded, Select, status_view};
use crate::i18n::{tr, use_i18n};

#[component]
pub fn Posts(org_id: i64, members: Loaded<Page<MemberSummary>>) -> impl IntoView {
    let i18n = use_i18n();
    let posts = LocalResource::new(move || api::org_posts(org_id));
    let name = RwSignal::new(String::new());
    let duties = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let create = move |_| {
        let request = PostRequest {
            name: name.get_untracked().trim().to_owned(),
            duties: duties.get_untracked().trim().to_owned(),
        };
        if request.name.is_empty() || request.duties.is_empty() {
            error.set(Some(i18n.t_untracked().cls_post_missing.to_owned()));
            return;
        }
        act(
            busy,
            error,
            |t| t.cls_post_created,
            async move { api::create_post(org_id, &request).await },
            move |_| {
                name.set(String::new());
                duties.set(String::new());
                posts.refetch();
            },
        );
    };
    let cards = move || {
        posts.with(|p| match p {
            Some(Ok(list)) if list.is_empty() => {
                view! { <p class="muted list-empty">{tr(|t| t.cls_posts_none)}</p> }.into_any()
            }
            Some(Ok(list)) => list
                .iter()
                .cloned()
                .map(|post| view! { <PostCard post=post members=members posts=posts/> })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        })
    };
    view! {
        <p class="muted form-hint">{tr(|t| t.cls_posts_desc)}</p>
        {move || posts.with(status_view)}
        {cards}
        <Card title=tr(|t| t.cls_post_new)>
            <Field label=|t| t.cls_post_name name="post-name" value=name maxlength="50"/>
            <Field label=|t| t.cls_post_duties name="post-duties" value=duties maxlength="200"/>
            {error_line(error)}
            <div class="actions">
                <Button loading=busy on_click=create>{tr(|t| t.cls_post_create)}</Button>
            </div>
        </Card>
    }
}

#[component]
fn PostCard(
    post: Post,
    members: Loaded<Page<MemberSummary>>,
    posts: Loaded<Vec<Post>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let chosen = RwSignal::new(String::new());
    let post_id = post.id;
    let holder_ids: Vec<i64> = post.holders.iter().map(|h| h.id).collect();
    let options = Signal::derive(move || {
        let held = holder_ids.clone();
        member_options(members, move |m| {
            has(m, MemberCategory::JoblessWithPost) && !held.contains(&m.id)
        })
    });
    let holders = post.holders.clone();
    let items = Signal::derive(move || {
        holders
            .iter()
            .map(|h| Item {
                key: h.id.to_string(),
                title: h.name.clone(),
                action: true,
                ..Item::default()
            })
            .collect::<Vec<_>>()
    });
    let remove = Callback::new(move |key: String| {
        let Ok(member_id) = key.parse::<i64>() else {
            return;
        };
        act(
            busy,
            error,
            |t| t.cls_holder_removed,
            api::unassign_post(post_id, member_id),
            move |_| posts.refetch(),
        );
    });
    let assign = move |_| {
        let Ok(member_id) = chosen.get_untracked().parse::<i64>() else {
            error.set(Some(i18n.t_untracked().cls_pick_member.to_owned()));
            return;
        };
        act(
            busy,
            error,
            |t| t.cls_holder_added,
            api::assign_post(post_id, member_id),
            move |_| {
                chosen.set(String::new());
                posts.refetch();
            },
        );
    };
    let quarter = move || {
        let t = i18n.t();
        format!(
            "{} {} {} · {} {}",
            t.cls_this_quarter,
            post.logs_this_quarter,
            t.cls_times,
            zhibu_shared::volunteer::hours(post.minutes_this_quarter),
            t.hours_unit
        )
    };
    view! {
        <Card title=post.name.clone()>
            <p class="muted">{post.duties.clone()}</p>
            <p class="muted">{quarter}</p>
            <List items=items action=(|t| t.cls_remove, remove) empty=|t| t.cls_holders_none/>
            <Select label=|t| t.cls_holder_pick name="post-holder" options=options value=chosen/>
            {error_line(error)}
            <div class="actions">
                <Button loading=busy on_click=assign>{tr(|t| t.cls_assign)}</Button>
            </div>
        </Card>
    }
}
