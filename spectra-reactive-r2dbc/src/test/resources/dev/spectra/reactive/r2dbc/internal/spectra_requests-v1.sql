-- version 1: spectra_requests with its indexes

CREATE TABLE %1$s.spectra_requests (
    id                     uuid             NOT NULL,
    trace_id               text             NOT NULL,
    response_id            text,
    provider               text             NOT NULL,
    model                  text             NOT NULL,
    response_model         text,
    model_type             text,
    endpoint               text,
    operation              text,
    http_status            integer,
    outcome                text             NOT NULL,
    error_type             text,
    error_message          text,
    finish_reason          text,
    tool_call_counts       jsonb            NOT NULL DEFAULT '{}',
    streaming              boolean          NOT NULL,
    input_tokens           bigint,
    output_tokens          bigint,
    cached_input_tokens    bigint,
    cache_write_tokens     bigint,
    reasoning_tokens       bigint,
    total_tokens           bigint,
    images                 bigint,
    audio_seconds          numeric,
    characters             bigint,
    cache_write_1h_tokens  bigint,
    audio_input_tokens     bigint,
    audio_output_tokens    bigint,
    image_input_tokens     bigint,
    image_output_tokens    bigint,
    input_cost             numeric(20,10),
    output_cost            numeric(20,10),
    total_cost             numeric(20,10),
    pricing_tier           text             NOT NULL,
    pricing_status         text             NOT NULL,
    latency_ms             bigint           NOT NULL,
    time_to_first_token_ms bigint,
    tokens_per_second      double precision,
    chunk_count            integer,
    trackable_type         text,
    trackable_id           text,
    conversation_id        text,
    tags                   jsonb            NOT NULL DEFAULT '[]',
    metadata               jsonb            NOT NULL DEFAULT '{}',
    started_at             timestamptz      NOT NULL,
    completed_at           timestamptz      NOT NULL,
    CONSTRAINT spectra_requests_pkey PRIMARY KEY (id),
    CONSTRAINT spectra_requests_outcome_check
        CHECK (outcome IN ('success', 'failure', 'cancelled')),
    CONSTRAINT spectra_requests_pricing_status_check
        CHECK (pricing_status IN ('priced', 'model_not_priced', 'usage_unknown')),
    CONSTRAINT spectra_requests_cost_check
        CHECK ((total_cost IS NULL) = (pricing_status <> 'priced')),
    CONSTRAINT spectra_requests_tags_check CHECK (jsonb_typeof(tags) = 'array'),
    CONSTRAINT spectra_requests_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
);

COMMENT ON TABLE %1$s.spectra_requests IS 'One row per tracked LLM call (Spectra Reactive)';

COMMENT ON COLUMN %1$s.spectra_requests.total_cost IS 'USD, exact; NULL when the call was not priced';

CREATE UNIQUE INDEX spectra_requests_response_id_key
    ON %1$s.spectra_requests (provider, response_id) WHERE response_id IS NOT NULL;

CREATE INDEX spectra_requests_started_at_idx ON %1$s.spectra_requests (started_at);

CREATE INDEX spectra_requests_provider_model_idx
    ON %1$s.spectra_requests (provider, model, started_at);

CREATE INDEX spectra_requests_trace_id_idx ON %1$s.spectra_requests (trace_id);

CREATE INDEX spectra_requests_trackable_idx
    ON %1$s.spectra_requests (trackable_type, trackable_id, started_at)
    WHERE trackable_type IS NOT NULL;

CREATE INDEX spectra_requests_metadata_idx ON %1$s.spectra_requests USING gin (metadata jsonb_path_ops);

CREATE INDEX spectra_requests_tags_idx ON %1$s.spectra_requests USING gin (tags);
