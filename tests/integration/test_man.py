"""The manual pages (man/*.[0-9]): Debian's mandoc finds nothing to warn
about and renders each, privforms(8) documents every command that
`privforms --help` lists, and privforms.conf(5) every key of
etc/privforms.conf.example.  A new command or key without a manual entry
fails here, and so does an entry for one that no longer exists.  INSTALL
leaves what commands do and what keys mean to these pages: every command
it runs, every key it sets and every entry or section it points to
("privforms(8), mail run") must be there."""

import glob
import os
import re
import subprocess
import unittest

from harness import PRIVFORMS, SRC

MAN = os.path.join(SRC, "man")
PRIVFORMS_8 = os.path.join(MAN, "privforms.8")
CONF_5 = os.path.join(MAN, "privforms.conf.5")
CONF_EXAMPLE = os.path.join(SRC, "etc", "privforms.conf.example")
FORMS_8 = os.path.join(MAN, "privforms-forms.8")
INSTALL = os.path.join(SRC, "INSTALL")
PAGES = ("privforms.8", "privforms.conf.5", "privforms-forms.8")

# A word of a command name ("dnc", "unsubscribe-link"); an mdoc macro
# ("Ar", "Op") or an argument in capitals ("COUNTRY") ends the name.
WORD = re.compile(r"[a-z][a-z-]*\Z")


def mandoc(*args):
    try:
        return subprocess.run(["mandoc"] + list(args), capture_output=True,
                              text=True, timeout=30)
    except FileNotFoundError:
        raise AssertionError("mandoc is not installed (sh tools/deps.sh)")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def section(text, name):
    """The lines of mdoc section .Sh name, up to the next .Sh."""
    m = re.search(r"^\.Sh %s\n(.*?)(?=^\.Sh |\Z)" % re.escape(name), text,
                  re.M | re.S)
    return m.group(1).splitlines() if m else []


def name_of(words):
    """The command name at the start of words: one or two words."""
    name = [words[0]]
    if len(words) > 1 and WORD.match(words[1]):
        name.append(words[1])
    return " ".join(name)


def help_commands():
    """{name: args} from the "  privforms NAME ARGS" lines of --help."""
    p = subprocess.run([PRIVFORMS, "--help"], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    cmds = {}
    for line in p.stdout.splitlines():
        m = re.match(r"  privforms (\S.*)$", line)
        if m:
            words = m.group(1).split()
            name = name_of(words)
            cmds[name] = words[len(name.split()):]
    assert len(cmds) >= 10, "cannot parse privforms --help:\n" + p.stdout
    return cmds


def cm_lines(lines, prefix):
    """{name: line} of the lines "prefix NAME ...": .Cm or .It Cm lines."""
    out = {}
    for line in lines:
        if line.startswith(prefix + " "):
            words = line[len(prefix) + 1:].split()
            if words and WORD.match(words[0]):
                out[name_of(words)] = line
    return out


def example_keys():
    """{key: default} from the "# key = value" lines of the example."""
    keys = {}
    for line in read(CONF_EXAMPLE).splitlines():
        m = re.match(r"# ([a-z][a-z0-9_]*) =(?: (.*))?$", line)
        if m:
            keys[m.group(1)] = (m.group(2) or "").strip()
    assert len(keys) >= 30, "cannot parse " + CONF_EXAMPLE
    return keys


def conf_entries():
    """{key: the mdoc source of its entry} from the .It Cm lines of the page;
    one entry may name several keys (".It Cm a , b = Ar n"), each gets it."""
    entries, keys = {}, []
    for line in read(CONF_5).splitlines():
        m = re.match(r"\.It (?:Cm|Ic) ([a-z][a-z0-9_]*(?: , [a-z][a-z0-9_]*)*)"
                     r"(?: |$)", line)
        if m:
            keys = m.group(1).split(" , ")
            for key in keys:
                entries[key] = ""
        elif line.startswith((".It", ".El", ".Sh", ".Ss")):
            keys = []
        for key in keys:
            entries[key] += line + "\n"
    return entries


def assert_all_in(test, names, known, msg):
    """Every one of names is one of known; the ones that are not, sorted,
    make the failure."""
    test.assertEqual(sorted(set(names) - set(known)), [], msg)


class Pages(unittest.TestCase):
    def test_every_page_is_there(self):
        found = {os.path.basename(p) for p in glob.glob(os.path.join(MAN, "*.[0-9]"))}
        self.assertTrue(set(PAGES) <= found, found)

    def test_lint_finds_nothing(self):
        for page in sorted(glob.glob(os.path.join(MAN, "*.[0-9]"))):
            with self.subTest(page=os.path.basename(page)):
                p = mandoc("-Tlint", "-W", "warning", page)
                self.assertEqual((p.returncode, p.stdout + p.stderr), (0, ""),
                                 "mandoc -Tlint:\n" + p.stdout + p.stderr)

    def test_each_renders(self):
        for page in sorted(glob.glob(os.path.join(MAN, "*.[0-9]"))):
            with self.subTest(page=os.path.basename(page)):
                p = mandoc("-Tutf8", page)
                self.assertEqual((p.returncode, p.stderr), (0, ""),
                                 "mandoc -Tutf8:\n" + p.stderr)
                # Bold and underlining are overstrikes: "N\bNA\bA...".
                text = re.sub(r".\x08", "", p.stdout)
                for heading in ("NAME", "DESCRIPTION", "SEE ALSO"):
                    self.assertTrue("\n%s\n" % heading in text,
                                    "no %s section rendered" % heading)


class Commands(unittest.TestCase):
    """privforms(8) against `privforms --help`."""

    @classmethod
    def setUpClass(cls):
        text = read(PRIVFORMS_8)
        cls.commands = help_commands()
        cls.synopsis = cm_lines(section(text, "SYNOPSIS"), ".Cm")
        cls.described = cm_lines(section(text, "DESCRIPTION"), ".It Cm")

    def test_every_command_is_in_the_synopsis_and_described(self):
        for where, msg in ((self.synopsis, "not in the SYNOPSIS of "
                            "man/privforms.8"),
                           (self.described, "no .It Cm entry in "
                            "man/privforms.8")):
            with self.subTest(msg):
                assert_all_in(self, self.commands, where, msg)

    def test_no_entry_for_a_command_that_is_gone(self):
        for where in (self.synopsis, self.described):
            assert_all_in(self, where, self.commands,
                          "not a command of privforms --help")

    def test_each_entry_names_the_options_of_its_command(self):
        for name, args in self.commands.items():
            line = self.described.get(name, "")
            for opt in (a.strip("[]|") for a in args):
                if opt.startswith("--"):
                    with self.subTest(command=name, option=opt):
                        # .Fl writes one dash itself: "Fl -email".
                        self.assertIn("Fl " + opt[1:], line)


class Configuration(unittest.TestCase):
    """privforms.conf(5) against etc/privforms.conf.example."""

    @classmethod
    def setUpClass(cls):
        cls.keys = example_keys()
        cls.entries = conf_entries()

    def test_every_key_has_an_entry(self):
        assert_all_in(self, self.keys, self.entries,
                      "no .It Cm entry in man/privforms.conf.5")

    def test_no_entry_for_a_key_that_is_gone(self):
        assert_all_in(self, self.entries, self.keys,
                      "not a key of privforms.conf.example")

    def test_each_entry_gives_the_default(self):
        for key, default in self.keys.items():
            if default and key in self.entries:
                with self.subTest(key=key):
                    self.assertRegex(self.entries[key],
                                     r"[Tt]he default is|[Tt]he defaults are")
                    self.assertIn(default, self.entries[key])


def without_config(words):
    """A command line's words after the global option --config FILE."""
    return words[2:] if words[:1] == ["--config"] else words


class Install(unittest.TestCase):
    """INSTALL's pointers into the pages land on something."""

    @classmethod
    def setUpClass(cls):
        cls.text = re.sub(r"\s+", " ", read(INSTALL))
        cls.commands = help_commands()

    def test_every_command_it_runs_is_a_command(self):
        # Its example lines ("    sudo -u privforms privforms dnc check
        # ...", a crontab's ".../sbin/privforms purge") and `privforms ...`.
        runs = re.findall(r"^ {4,}(?:\S.*?)?(?:sudo (?:-u \S+ )?|/sbin/)privforms "
                          r"(.*)$", read(INSTALL), re.M)
        runs += re.findall(r"`privforms ([^`]*)`", self.text)
        self.assertTrue(runs, "no privforms command found in INSTALL")
        wrong = sorted({r for r in runs
                        if name_of(without_config(r.split()))
                        not in self.commands})
        self.assertEqual(wrong, [], "not a command of privforms --help")

    def test_every_key_it_sets_is_a_key(self):
        keys = example_keys()
        set_ = re.findall(r"^ +([a-z][a-z0-9_]*) = ", read(INSTALL), re.M)
        self.assertTrue(set_, "no key = value line found in INSTALL")
        assert_all_in(self, set_, keys, "not a key of privforms.conf.example")

    def test_every_entry_it_points_to_is_there(self):
        described = cm_lines(section(read(PRIVFORMS_8), "DESCRIPTION"),
                             ".It Cm")
        cited = re.findall(r"privforms\(8\), ([a-z][a-z-]*(?: [a-z][a-z-]*)?)"
                           r"[,):.]", self.text)
        self.assertTrue(cited, "INSTALL points to no entry of privforms(8)")
        assert_all_in(self, cited, described,
                      "no such entry in man/privforms.8")
        headings = re.findall(r"^\.S[hs] (.+)$", read(FORMS_8), re.M)
        for name in re.findall(r"privforms-forms\(8\), ([A-Z][A-Z ]*[A-Z])",
                               self.text):
            self.assertIn(name, headings, "no such section in "
                          "man/privforms-forms.8")

    def test_every_key_it_sends_to_the_page_for_is_there(self):
        entries = conf_entries()
        cited = re.findall(r"([a-z]+_[a-z0-9_]*) (?:\([^)]*\) )?in "
                           r"privforms\.conf\(5\)", self.text)
        assert_all_in(self, cited, entries,
                      "no such key in man/privforms.conf.5")


if __name__ == "__main__":
    unittest.main()
