"""`privforms consent export` and the retention of consent records
(`privforms purge`, consent_retention_years), on a site whose records are
made through the real /privacy/consent form."""

import json
import os
import re
import subprocess
import unittest
import xml.etree.ElementTree as ET

from harness import Site, SRC, teardown

FORM = "/privacy/consent"
XSD = os.path.join(SRC, "etc", "consent-export.xsd")
NS = {"c": "urn:privforms:consent:1"}
COLS = ("id, device, notice, language, allowed, refused, action, method, "
        "gpc, jurisdiction, created")
STATUS = {"given": "dpv:ConsentGiven", "refused": "dpv:ConsentRefused",
          "changed": "dpv:ConsentGiven", "withdrawn": "dpv:ConsentWithdrawn"}
SITE = None


def setUpModule():
    global SITE
    SITE = Site(config={"consent_jurisdiction": "DE"}).start()
    try:
        make_records()
    except BaseException:
        teardown(SITE)   # tearDownModule does not run after a failure here
        raise


def make_records():
    """Records of every kind the form makes: given, refused, changed,
    withdrawn, one with a Global Privacy Control signal."""
    first = decide({"choice": "accept"})
    cookie = first.header("Set-Cookie").split(";")[0]
    decide({"choice": "save", "allow-functional": "yes"}, cookie)
    decide({"choice": "reject"}, cookie)
    decide({"choice": "save", "allow-functional": "yes"}, cookie)
    decide({"choice": "reject"})
    decide({"choice": "reject"}, gpc="1")


def tearDownModule():
    teardown(SITE)


def decide(fields, cookie=None, gpc=None):
    """A decision posted to the form (303): with the browser's cookie
    and a Sec-GPC header when given."""
    sent = {"Cookie": cookie, "Sec-GPC": gpc}
    r = SITE.post(FORM, fields,
                  headers={k: v for k, v in sent.items() if v is not None})
    assert r.status == 303, r
    return r


def stored(since=None):
    """Every record in the database (created at or after since), as the
    export orders them."""
    sql = "SELECT %s FROM consent_record" % COLS
    if since is None:
        return SITE.query(sql + " ORDER BY created, id")
    return SITE.query(sql + " WHERE created >= ? ORDER BY created, id",
                      (since,))


def aged(created):
    """A copy of the newest form-made record, made at `created`: its id."""
    return SITE.write(
        "INSERT INTO consent_record (device, notice, language, allowed, "
        "refused, action, method, gpc, jurisdiction, created) SELECT "
        "device, notice, language, allowed, refused, action, method, gpc, "
        "jurisdiction, ? FROM consent_record ORDER BY id DESC LIMIT 1",
        (created,))


def export(*args):
    return SITE.privforms("consent", "export", *args, check=False)


class Xml(unittest.TestCase):
    def validate(self, text):
        v = subprocess.run(["xmllint", "--noout", "--schema", XSD, "-"],
                           input=text, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(v.returncode, 0, v.stderr)

    def values(self, text):
        root = ET.fromstring(text)
        self.assertEqual(root.tag, "{urn:privforms:consent:1}consent-records")
        out = []
        for rec in root.findall("c:record", NS):
            get = lambda name: rec.findtext("c:" + name, None, NS)
            out.append((int(get("id")), get("device"), get("notice"),
                        get("language"), get("allowed"), get("refused"),
                        get("action"), get("method"),
                        int(get("gpc")),
                        get("jurisdiction"), get("time")))
        return out

    def test_every_record_with_every_value_and_valid(self):
        p = export()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.validate(p.stdout)
        rows = stored()
        self.assertGreaterEqual(len(rows), 6)
        self.assertEqual(self.values(p.stdout), rows)
        # The form's records are all there: each action and the GPC one.
        self.assertEqual({r[6] for r in rows},
                         {"given", "refused", "changed", "withdrawn"})
        self.assertIn(1, {r[8] for r in rows})
        self.assertEqual({r[9] for r in rows}, {"DE"})

    def test_since_keeps_only_the_records_made_on_or_after_the_day(self):
        old = aged("2024-03-01T10:00:00.000000Z")
        whole = self.values(export("--format", "xml").stdout)
        self.assertIn(old, [r[0] for r in whole])
        p = export("--since", "2024-03-02")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.validate(p.stdout)
        got = self.values(p.stdout)
        self.assertNotIn(old, [r[0] for r in got])
        self.assertEqual(got, stored("2024-03-02"))
        self.assertGreater(len(got), 0)
        self.assertIn('since="2024-03-02"', p.stdout)
        # The day itself counts whole.
        got = self.values(export("--since", "2024-03-01").stdout)
        self.assertIn(old, [r[0] for r in got])
        p = export("--since", "2999-01-01")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.validate(p.stdout)
        self.assertEqual(self.values(p.stdout), [])


class JsonLd(unittest.TestCase):
    def test_parses_names_dpv_and_holds_one_entry_per_record(self):
        p = export("--format", "jsonld")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["@context"]["dpv"], "https://w3id.org/dpv#")
        rows = stored()
        graph = doc["@graph"]
        self.assertEqual([int(e["dct:identifier"]) for e in graph],
                         [r[0] for r in rows])
        for e, r in zip(graph, rows):
            self.assertEqual(e["@type"], "dpv:ConsentRecord")
            self.assertEqual(e["dpv:hasConsentStatus"], STATUS[r[6]])
            self.assertEqual(e["dpv:hasDataSubject"]["@id"],
                             "pf:device-" + r[1])
            self.assertEqual(e["dpv:hasNotice"]["@id"], "pf:notice-" + r[2])
            self.assertEqual(e["dpv:hasNotice"]["dct:language"], r[3])
            self.assertEqual(e["dpv:hasPurpose"],
                             ["pf:category-" + c for c in r[4].split()])
            self.assertEqual(e["pf:refused"],
                             ["pf:category-" + c for c in r[5].split()])
            self.assertEqual(e["pf:action"], r[6])
            self.assertEqual(e["dpv:hasIndicationMethod"], r[7])
            self.assertIs(e["pf:gpc"], bool(r[8]))
            self.assertEqual(e["dpv:hasJurisdiction"]["@id"], "loc:" + r[9])
            self.assertEqual(e["dpv:isIndicatedAtTime"]["@value"], r[10])
        # Every prefix the records use is in the context.
        used = set(re.findall(r'"([a-z]+):[A-Za-z]', json.dumps(graph)))
        self.assertLessEqual(used, set(doc["@context"]))

    def test_since_filters_the_same_way(self):
        p = export("--format", "jsonld", "--since", "2999-01-01")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["@graph"], [])


class Arguments(unittest.TestCase):
    def test_bad_since_and_format_are_usage_errors_said_clearly(self):
        before = SITE.count("audit")
        for args, said in ((("--since", "2026-13-01"), "--since 2026-13-01"),
                           (("--since", "yesterday"), "YYYY-MM-DD"),
                           (("--format", "csv"), "xml or jsonld"),
                           (("--format", ""), "xml or jsonld"),
                           (("extra",), "usage")):
            p = export(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(said, p.stderr.lower() if said == "usage"
                          else p.stderr, args)
            self.assertEqual(p.stdout, "", args)
        self.assertEqual(SITE.count("audit"), before)


class Audit(unittest.TestCase):
    def test_the_export_is_recorded_as_a_personal_data_read(self):
        for fmt in ("xml", "jsonld"):
            before = len(SITE.audit_xml("personal-data-read"))
            p = export("--format", fmt)
            self.assertEqual(p.returncode, 0, p.stderr)
            records = SITE.audit_xml("personal-data-read")
            self.assertEqual(len(records), before + 1)
            self.assertIn('<detail name="what">consent-export</detail>',
                          records[-1])
            self.assertIn('<detail name="rows">%d</detail>' % len(stored()),
                          records[-1])
            for (device,) in SITE.query("SELECT device FROM consent_record"):
                self.assertNotIn(device, records[-1])


class Purge(unittest.TestCase):
    def test_purge_deletes_only_records_past_retention_and_records_it(self):
        old = [aged("2015-06-01T00:00:00.000000Z"),
               aged("2019-01-31T23:59:59.999999Z")]
        kept = aged("2023-06-01T00:00:00.000000Z")   # under 5 years
        young = [r[0] for r in stored("2020")]
        p = SITE.privforms("purge", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = re.search(r"purge: (\d+) consent records? made before "
                      r"(\d{4}-\d\d-\d\d) deleted", p.stdout)
        self.assertIsNotNone(m, p.stdout)
        ids = [r[0] for r in stored()]
        for i in old:
            self.assertNotIn(i, ids)
        self.assertIn(kept, ids)
        for i in young:
            self.assertIn(i, ids)
        self.assertGreaterEqual(min(r[10] for r in stored()), m[2])
        xml = SITE.audit_xml("consent-purged")[-1]
        self.assertIn('<detail name="records">%s</detail>' % m[1], xml)
        self.assertGreaterEqual(int(m[1]), 2)
        self.assertIn('<detail name="retention-years">5</detail>', xml)
        self.assertRegex(xml, r'<detail name="created-before">%sT'
                         % m[2])
        self.assertEqual(SITE.privforms("audit", "verify",
                                         check=False).returncode, 0)
        # Nothing left past retention: a second purge deletes none and
        # leaves no record.
        n = len(SITE.audit_xml("consent-purged"))
        p = SITE.privforms("purge", check=False)
        self.assertIn("purge: 0 consent records", p.stdout)
        self.assertEqual(len(SITE.audit_xml("consent-purged")), n)


if __name__ == "__main__":
    unittest.main()
