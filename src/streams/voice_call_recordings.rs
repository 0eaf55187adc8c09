//! `voice_call_recordings`: one row per voicemail or call recording.
//!
//! `/api/phone/voice-call-recordings` takes only `cursor`, `limit` and
//! `call_id`, so the list is read whole in the API's own order every time;
//! incremental mode emits only recordings whose `created_datetime` reached
//! the bookmark. A row carries the audio's URL and duration, never the
//! audio: fetching files is the destination's choice, and the URLs may be
//! private (`error_code`).

super::dsl::api_stream! {
    VOICE_CALL_RECORDINGS {
        description: "Gorgias voicemails and call recordings, one row per recording (natural key: id): its URL and duration, not the audio. The list is read whole; incremental emits recordings created since the bookmark.",
        read: Read::WholeList { path: "/phone/voice-call-recordings", order: None },
        natural_key: &["id"],
        cursor: cursor!("created_datetime" <- "created_datetime"),
        relationships: &[Relation::new("call_id", "voice_calls", "id"), Relation::new("deleted_by_user_id", "users", "user_id")],
    }
    /// A Gorgias voicemail or call recording. Natural key: `id`.
    VoiceCallRecordingRow, "voice call recording";
    id: id = "Gorgias recording id (`id`).",
    call_id: int = "The voice call it belongs to (`call_id`).",
    external_id: str = "The recording's id at the telephony provider (`external_id`).",
    r#type: str = "voicemail or call-recording (`type`).",
    url: str = "Direct URL of the audio file (`url`).",
    duration: int = "Length in seconds (`duration`).",
    error_code: str = "Why no URL could be given, e.g. RECORDING_IS_PRIVATE (`error_code`).",
    transcription_status: str = "State of the recording's transcription (`transcription_status`).",
    created_datetime: ts = "When it was created (`created_datetime`): the cursor.",
    deleted_datetime: ts = "When it was deleted, if it was (`deleted_datetime`).",
    deleted_by_user_id: int = "The agent who deleted it (`deleted_by_user_id`).",
}
