# Varnish in front of Newsroom's gunicorn (Varnish 7, Debian's `varnish` package).
#
# - Caches only what the site marks public (Cache-Control: public, s-maxage=…): anonymous
#   readers' pages; everything else goes to the app every time. A request with a session cookie (signed-in staff) goes straight to the app; other
#   cookies are dropped, since no public page depends on them.
# - Purges by surrogate key: the app sends `PURGE /` with `Surrogate-Key: article-12 latest …`
#   on every change (PAGE_CACHE_PURGE_URLS=http://varnish-host:6081/), and every object whose
#   own Surrogate-Key header names one of those keys is banned. `PURGE /some/path/` without
#   the header drops that one URL.
# - Serves stale pages while the app is down: objects are kept for a day past their TTL and
#   served from that grace while the backend's health probe fails; while it is healthy, grace
#   is the page's own stale-while-revalidate (30 s).
#
# Run: varnishd -a :6081 -f /etc/varnish/newsroom.vcl -s malloc,256m
vcl 4.1;

import std;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = {
        .url = "/robots.txt";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;  # healthy from the start; two failed probes in three make it sick
    }
}

# Who may purge: the app servers. Add their addresses here.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.Surrogate-Key) {
            # "article-12 latest" becomes the pattern (^|\s)(article-12|latest)(\s|$).
            ban("obj.http.Surrogate-Key ~ (^|\s)(" +
                regsuball(std.tolower(req.http.Surrogate-Key), "\s+", "|") + ")(\s|$)");
            return (synth(200, "Banned"));
        }
        return (purge);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/admin/" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    if (req.url ~ "^/api/ninjs/" && (req.http.Authorization || req.http.X-Api-Key)) {
        # A partner's API key: the app checks it and counts it against the key's limit on
        # every request (its own page cache still answers fast).
        return (pass);
    }
    # Anonymous readers: the same page for everyone, whatever cookies the browser holds.
    unset req.http.Cookie;
    unset req.http.Authorization;
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    return (hash);
}

sub vcl_backend_response {
    # Only what the app marks public is kept. Without this, Varnish's builtin rules would keep
    # any 200 or 404 without Cache-Control for the default TTL: the newsletter's pages, or the
    # 404 of a story scheduled to appear, which would then show up to two minutes late.
    # (A short hit-for-miss: the next request still goes to the app, and is kept if public.)
    if (beresp.http.Cache-Control !~ "public") {
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        set beresp.grace = 0s;
        return (deliver);
    }
    # Keep every object a day past its TTL: the stale copy readers get if the app is down.
    set beresp.grace = 24h;
}

sub vcl_deliver {
    # The keys are for this cache; readers need not see them.
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
}
