"""Per sender over time and overall, from hand-made findings."""

from __future__ import annotations

from trackless.report.aggregate import Aggregator, Count, MonthStat, vendor_key, vendor_names
from trackless.report.analyse import LinkFinding, MailFindings, OtherRemote, TrackerFinding


def tracker(host, vendor=None, third=True, you=False):
    return TrackerFinding(kind="pixel", url=f"https://{host}/o", host=host, domain=host, vendor=vendor, reason="r",
                          confidence="high", identifies_you=you, identifies_how="md5" if you else None, token=None,
                          element="img", attribute="src", third_party=third)


def link(host, vendor=None, third=True):
    return LinkFinding(original=f"https://{host}/c", host=host, domain=host, status="opaque", vendor=vendor,
                       destination=None, tracking_params=(), identifies_you=False, identifies_how=None, rule=None,
                       chain=(), third_party=third)


def mail(sender, date, trackers=(), links=(), other=(), receipts=(), text=True):
    return MailFindings(origin="o", date="", date_utc=date, sender=sender,
                        sender_domain=sender.split("@")[1] if sender else "", subject="s", message_id="",
                        recipients=(), trackers=tuple(trackers), links=tuple(links), other_remote=tuple(other),
                        links_total=len(links), read_receipts=tuple(receipts), has_html=True, has_text=text)


def test_vendor_names_and_keys():
    assert vendor_names("Google Analytics (utm), AT Internet / Piano Analytics") == [
        "Google Analytics (utm)", "AT Internet / Piano Analytics"]
    assert vendor_names(None) == [] and vendor_names("") == []
    assert vendor_key("SendGrid (Twilio)") == vendor_key("sendgrid") == "sendgrid"


def test_aggregate_per_sender_and_overall():
    agg = Aggregator(top=2)
    agg.add(mail("news@brand.example", "2026-10-05T08:00:00Z",
                 trackers=[tracker("t.esp.example", "SendGrid (Twilio)"), tracker("px.ads.example", you=True)],
                 links=[link("click.esp.example", "SendGrid"), link("click.esp.example", "SendGrid")]))
    agg.add(mail("news@brand.example", "2026-09-01T08:00:00Z"))
    agg.add(mail("news@brand.example", None, trackers=[tracker("epost.brand.example", "Selligent", third=False)],
                 other=[OtherRemote("image", "https://cdn.example/x.png", "cdn.example", "cdn.example", True)]))
    agg.add(mail("hr@agency.example", "2026-10-20T08:00:00Z", receipts=("Disposition-Notification-To",), text=False))
    agg.add(mail(None, "2026-11-02T08:00:00Z", links=[link("l.example", "Mailchimp, Google Analytics (utm)")]))
    s = agg.summary()
    assert (s.mails, s.with_trackers, s.trackers, s.tracked_links, s.identifies_you, s.read_receipts, s.plain_text) == (
        5, 3, 3, 3, 1, 1, 4)
    assert (s.first_seen, s.last_seen) == ("2026-09-01T08:00:00Z", "2026-11-02T08:00:00Z")
    assert s.months == (MonthStat("2026-09", 1, 0), MonthStat("2026-10", 2, 1), MonthStat("2026-11", 1, 1),
                        MonthStat("unknown", 1, 1))
    # SendGrid counted once per mail, its two spellings merged under the longest one; top=2 cuts the list
    assert s.top_vendors == (Count("SendGrid (Twilio)", 1, 3), Count("Google Analytics (utm)", 1, 1))
    assert s.top_hosts[0] == Count("click.esp.example", 1, 2)
    brand, nobody, agency = s.senders  # by mails, then mails with trackers, then name
    assert (brand.sender, brand.mails, brand.with_trackers, round(brand.share, 3)) == ("news@brand.example", 3, 2, 0.667)
    assert (brand.first_seen, brand.last_seen) == ("2026-09-01T08:00:00Z", "2026-10-05T08:00:00Z")
    assert brand.identifies_you == 1 and brand.trackers == 3 and brand.tracked_links == 2
    # first-party epost.brand.example is not a third-party host; the non-tracking CDN image is
    assert {c.name for c in brand.third_party_hosts} == {"t.esp.example", "px.ads.example", "click.esp.example", "cdn.example"}
    assert [c.name for c in brand.vendors] == ["SendGrid (Twilio)", "Selligent"]
    assert brand.months == (MonthStat("2026-09", 1, 0), MonthStat("2026-10", 1, 1), MonthStat("unknown", 1, 1))
    assert (agency.read_receipts, agency.with_trackers, agency.share) == (1, 0, 0.0)
    assert nobody.sender == "(no sender)" and [c.name for c in nobody.vendors] == ["Google Analytics (utm)", "Mailchimp"]


def test_empty_summary():
    s = Aggregator().summary()
    assert s.mails == 0 and s.share == 0.0 and s.senders == () and s.months == () and s.first_seen is None
