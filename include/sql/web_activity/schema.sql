-- Web activity (daily) from raw.events + raw.devices. Ids NUMERIC end to end.
CREATE TABLE IF NOT EXISTS analytics.user_devices_cumulated (
    user_id NUMERIC NOT NULL,
    browser_type TEXT NOT NULL,
    device_activity_datelist DATE[] NOT NULL,
    datelist_int BIGINT NOT NULL CHECK (datelist_int >= 0 AND datelist_int < 4294967296),
    date DATE NOT NULL,
    PRIMARY KEY (user_id, browser_type, date)
);
CREATE TABLE IF NOT EXISTS staging.user_devices_cumulated (LIKE analytics.user_devices_cumulated INCLUDING ALL);

CREATE TABLE IF NOT EXISTS analytics.hosts_cumulated (
    host TEXT NOT NULL,
    host_activity_datelist DATE[] NOT NULL,
    date DATE NOT NULL,
    PRIMARY KEY (host, date)
);
CREATE TABLE IF NOT EXISTS staging.hosts_cumulated (LIKE analytics.hosts_cumulated INCLUDING ALL);

-- One row per (month, host); a daily run replaces its month's rows (Table.period_key).
CREATE TABLE IF NOT EXISTS analytics.host_activity_reduced (
    month DATE NOT NULL CHECK (month = date_trunc('month', month)::date),
    host TEXT NOT NULL,
    hit_array BIGINT[] NOT NULL,
    unique_visitors BIGINT[] NOT NULL,
    PRIMARY KEY (month, host),
    CHECK (cardinality(hit_array) = cardinality(unique_visitors) AND array_position(hit_array, NULL) IS NULL
           AND array_position(unique_visitors, NULL) IS NULL)
);
CREATE TABLE IF NOT EXISTS staging.host_activity_reduced (LIKE analytics.host_activity_reduced INCLUDING ALL);
