//! `jobs`: one row per background job (exports, bulk macro applications,
//! bulk updates and deletes).
//!
//! `/api/jobs` sorts by creation only, and a job's `status` and `info`
//! change while it runs without that key moving. The stream reads newest
//! first by creation and re-reads a day before its bookmark, which covers
//! jobs still running at the last sync (jobs take minutes to hours).

super::dsl::api_stream! {
    JOBS {
        description: "Gorgias background jobs, one row per job (natural key: id). Incremental on created_datetime with a one-day lookback for jobs still running.",
        read: Read::NewestFirst { path: "/jobs", lookback: |_| Duration::days(1) },
        natural_key: &["id"],
        cursor: cursor!("created_datetime" <- "created_datetime"),
    }
    /// A Gorgias job. Natural key: `id`.
    JobRow, "job";
    id: id = "Gorgias job id (`id`).",
    r#type: str = "What it does: exportTicket, applyMacro, updateTicket, … (`type`).",
    status: str = "pending, scheduled, running, done, canceled, errored, … (`status`).",
    params: json_object = "What it was asked to do (`params`).",
    info: json_object = "Its progress (`info`).",
    meta: json_object = "Metadata (`meta`).",
    created_datetime: ts = "When it was created (`created_datetime`): the cursor.",
    scheduled_datetime: ts = "When it is or was due to start (`scheduled_datetime`).",
    started_datetime: ts = "When it started (`started_datetime`).",
    ended_datetime: ts = "When it ended (`ended_datetime`).",
}
