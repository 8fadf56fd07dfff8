//! Which tree nodes wait on which jobs: the live tree view publishes, for each of its VLA
//! leaves, the job it waits on (with a way to show that node); the job inspector lists them
//! as links back to the tree. Kept apart from the tree view so the jobs panel does not need
//! the view's code.

use std::cell::RefCell;

use yew::Callback;

use crate::jobs::JobId;

struct Entry {
    owner: String,
    job: JobId,
    label: String,
    show: Callback<()>,
}

thread_local! {
    static ENTRIES: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// Replace what `owner` (a tree view) publishes: (job, node label, show the node).
pub fn set(owner: &str, links: Vec<(JobId, String, Callback<()>)>) {
    ENTRIES.with(|e| {
        let mut e = e.borrow_mut();
        e.retain(|x| x.owner != owner);
        e.extend(links.into_iter().map(|(job, label, show)| Entry { owner: owner.to_string(), job, label, show }));
    });
}

/// The nodes that wait on `job`: (label, show the node).
pub fn waiters(job: JobId) -> Vec<(String, Callback<()>)> {
    ENTRIES.with(|e| e.borrow().iter().filter(|x| x.job == job).map(|x| (x.label.clone(), x.show.clone())).collect())
}
