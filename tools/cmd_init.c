/*
 * cmd_init.c -- privforms init: the data directories, the key, the
 * database and the web server's error pages.
 *
 * Run as root, init makes the directories for the service's user (--user,
 * default privforms), then drops to that user for everything else, so
 * that every file it makes belongs to the user the programs run as.  Run
 * as anyone else, it makes them as that user.
 *
 * It is also the step of a restore (INSTALL, section 15) that keeps the
 * audit trail whole: the records written since the backup are taken back
 * from their files (recover_trail).  init rather than a restore command
 * of its own: every restore already ends with init, however the file was
 * put back, and the evidence (record files past the database's last
 * record, a checkpoint that counts more) is on disk, not in what the
 * operator remembers to type; a second run finds nothing to do.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "checkpoint.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "file.h"
#include "keys.h"
#include "lang.h"
#include "nitems.h"
#include "page.h"
#include "store.h"
#include "txn.h"

static int	cmd_init(struct ctx *, const struct cli_args *);

#define USER_DEFAULT	"privforms"

static const struct cli_spec init_spec = { .opt = {
	{ "--user", CLI_VALUE | CLI_ONCE },
} };

const struct cmd cmds_init[] = {
	{ "init", cmd_init, &init_spec, "[--user NAME]",
	  "Create the database (or bring its schema up to date), the secret key\n"
	  "file (mode 0600, never overwritten), the audit directory, the audit\n"
	  "trail's signing key (audit_signing_key, mode 0600, never overwritten)\n"
	  "with its public key published as AUDIT_DIR/keys/KEYID.pem (a missing\n"
	  "one is not made again once there are checkpoints), and render\n"
	  "the pages the web server shows for an address that names nothing\n"
	  "(404.html) and a program that cannot answer (50x.html), in\n"
	  "default_language.  Safe to run again, e.g. after upgrading.\n\n"
	  "As root, the directories are made for user NAME (default privforms,\n"
	  "which must exist) and everything else is done as NAME, so that every\n"
	  "file belongs to it: the data directory 0711 (the httpd reaches those\n"
	  "pages, nobody lists it), audit 0750, site 0755, key 0600, database\n"
	  "0640.  --user root keeps everything as root (a development stack).\n"
	  "As another user, --user may only name that user.\n\n"
	  "After a restore from a backup, the audit record files written since\n"
	  "the backup are taken back into the database when they chain on from\n"
	  "its last record (the rest are moved aside, to AUDIT_DIR/displaced/),\n"
	  "and an audit-restored record says so: no record number is used twice." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* Who the files are for: the service's user, or whoever runs init. */
struct owner {
	char		 name[64];
	uid_t		 uid;
	gid_t		 gid;
	int		 root;		/* init runs as root, drops to uid */
};

/* One directory init makes: its path and mode. */
struct dir {
	const char	*what;		/* as printed */
	char		 path[PATH_MAX];
	mode_t		 mode;
};

/*
 * The static pages of site_dir, each from a template (its links under the
 * configured prefix, as every page's), in default_language: the web
 * server answers with them by itself, knowing nothing of the visitor's
 * language.  (The hub is a program's page: program.h.)
 */
static const struct {
	const char	*template, *file;
} site_pages[] = {
	{ "not-found", "404.html" },
	{ "server-error", "50x.html" },
};

/* Render site page i from pages into site_dir. */
static int
render_page(const struct pf_config *cfg, struct pf_pages *pages, size_t i)
{
	struct pf_page	*page = NULL;
	char		*buf = NULL, path[4096];
	size_t		 len;
	int		 rc;

	snprintf(path, sizeof(path), "%s/%s", cfg->site_dir,
	    site_pages[i].file);
	if ((rc = pf_page_new(pages, site_pages[i].template, &page)) != PF_OK ||
	    (rc = pf_page_render(page, &buf, &len)) != PF_OK)
		fprintf(stderr, "privforms: %s from %s: %s\n",
		    site_pages[i].file, cfg->templates, pf_strerror(rc));
	else if (pf_file_replace(path, buf, len, 0644) != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", path, strerror(errno));
		rc = PF_EIO;
	} else
		printf("%-10s %s\n", "page:", path);
	free(buf);
	pf_page_free(page);
	return rc;
}

static int
render_site(const struct pf_config *cfg)
{
	struct pf_pages	*pages = NULL;
	char		 err[256] = "cannot set the C.UTF-8 locale";
	size_t		 i;
	int		 rc;

	if (pf_lang_init(cfg->locale_dir) != PF_OK ||
	    pf_lang_site(cfg->languages, cfg->default_language, err,
	    sizeof(err)) != PF_OK) {
		fprintf(stderr, "privforms: languages: %s\n", err);
		return PF_ECONFIG;
	}
	if ((rc = pf_pages_open(cfg->templates, cfg->prefix, &pages)) != PF_OK)
		fprintf(stderr, "privforms: templates %s: %s\n",
		    cfg->templates, pf_strerror(rc));
	for (i = 0; rc == PF_OK && i < nitems(site_pages); i++)
		rc = render_page(cfg, pages, i);
	pf_pages_free(pages);
	return rc;
}

/*
 * A missing key file is made afresh only where nothing depends on it:
 * erased opt-outs and Do-Not-Call entries are kept as hashes under the
 * old key, and a new key would let their owners be mailed and called
 * again.  0 if a key may be created, 1 (said) if not.
 */
static int
key_needed_back(struct ctx *c)
{
	struct stat	 sb;
	long long	 n;

	if (stat(c->cfg->key_file, &sb) == 0 ||
	    (cli_db_is_file(c) && stat(c->cfg->database, &sb) == -1))
		return 0;
	if (cli_open_store(c) != 0 || pf_store_suppress_count(c->st, &n) != PF_OK)
		return 1;
	if (n == 0)
		return 0;
	fprintf(stderr, "privforms: %s is missing, and %lld erased opt-outs "
	    "and Do-Not-Call entries are kept as hashes under it: restore it "
	    "from the backup (a new key would let erased people be contacted "
	    "again)\n", c->cfg->key_file, n);
	return 1;
}

/* "0640 privforms:privforms" for path, or "?" if it cannot be read. */
static const char *
describe(const char *path, char *buf, size_t len)
{
	struct stat	 sb;
	struct passwd	*pw;
	struct group	*gr;
	char		 u[32], g[32];

	if (stat(path, &sb) == -1)
		return "?";
	if ((pw = getpwuid(sb.st_uid)) != NULL)
		snprintf(u, sizeof(u), "%s", pw->pw_name);
	else
		snprintf(u, sizeof(u), "%lu", (unsigned long)sb.st_uid);
	if ((gr = getgrgid(sb.st_gid)) != NULL)
		snprintf(g, sizeof(g), "%s", gr->gr_name);
	else
		snprintf(g, sizeof(g), "%lu", (unsigned long)sb.st_gid);
	snprintf(buf, len, "%04o %s:%s", (unsigned)(sb.st_mode & 07777), u, g);
	return buf;
}

/*
 * A missing signing key is made afresh only before the first checkpoint:
 * after it, a new key would sign checkpoints without the rotation record
 * that announces it to the witnesses (checkpoint.h), so whoever could
 * delete the key could start a new history.  0 if a key may be created,
 * 1 (said) if not.
 */
static int
signing_key_needed_back(const struct pf_config *cfg)
{
	struct stat	 sb;
	char		 latest[4096];

	snprintf(latest, sizeof(latest), "%s/checkpoints/latest.txt",
	    cfg->audit_dir);
	if (lstat(cfg->audit_signing_key, &sb) == 0 ||
	    stat(latest, &sb) == -1)
		return 0;
	fprintf(stderr, "privforms: %s is missing, and %s was signed with "
	    "it: restore it from the backup (a new key would sign checkpoints "
	    "that no audit-key-rotated record announces)\n",
	    cfg->audit_signing_key, latest);
	return 1;
}

/*
 * The audit trail's signing key (checkpoint.h), made if missing, and its
 * public key published under the audit directory.  0, or 1 said.
 */
static int
signing_key(const struct pf_config *cfg)
{
	struct pf_checkpoint_key	*k = NULL;
	char				 buf[128];
	int				 rc, made;

	if (signing_key_needed_back(cfg))
		return 1;
	if ((rc = pf_checkpoint_key_create(cfg->audit_signing_key, &made)) ==
	    PF_OK && (rc = pf_checkpoint_key_load(cfg->audit_signing_key,
	    cfg->audit_origin, &k)) == PF_OK)
		rc = pf_checkpoint_publish(k, cfg->audit_dir);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: signing key %s: %s\n",
		    cfg->audit_signing_key, pf_strerror(rc));
		pf_checkpoint_key_free(k);
		return 1;
	}
	printf("audit key: %s (%s, %s; key id %s, public key %s/keys/%s.pem)\n",
	    cfg->audit_signing_key, describe(cfg->audit_signing_key, buf,
	    sizeof(buf)), made ? "created" : "kept", pf_checkpoint_key_id(k),
	    cfg->audit_dir, pf_checkpoint_key_id(k));
	pf_checkpoint_key_free(k);
	return 0;
}

/*
 * Who init makes the files for.  As root: user (default privforms), who
 * must exist; naming root itself keeps everything as root (a development
 * stack run as root).  Otherwise the caller, whom user, if given, must
 * name.  0, or 1 said.
 */
static int
find_owner(const char *user, struct owner *o)
{
	struct passwd	*pw;
	const char	*name;
	int		 root = geteuid() == 0;

	name = user != NULL ? user : root ? USER_DEFAULT : NULL;
	pw = name != NULL ? getpwnam(name) : getpwuid(geteuid());
	if (pw == NULL && name != NULL) {
		fprintf(stderr, "privforms: init: there is no user %s; create "
		    "it with\n    adduser --system --group --home "
		    "/var/lib/privforms %s\nor name the user the programs run "
		    "as with --user NAME\n", name, name);
		return 1;
	}
	if (pw == NULL) {
		fprintf(stderr, "privforms: init: uid %lu has no name\n",
		    (unsigned long)geteuid());
		return 1;
	}
	if (!root && pw->pw_uid != geteuid()) {
		fprintf(stderr, "privforms: init: --user %s: only root can make "
		    "the files for another user (run init as root, or as %s)\n",
		    pw->pw_name, pw->pw_name);
		return 1;
	}
	snprintf(o->name, sizeof(o->name), "%s", pw->pw_name);
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	o->root = root && pw->pw_uid != 0;
	return 0;
}

/*
 * An existing file or directory init would use must belong to the owner
 * (as another user, being able to use it is enough): 0, or 1 said.
 */
static int
check_owner(const char *path, const struct owner *o, int writable)
{
	struct stat	 sb;
	char		 buf[128];

	if (lstat(path, &sb) == -1 || sb.st_uid == o->uid)
		return 0;
	if (!o->root && access(path, writable ? R_OK | W_OK : R_OK) == 0)
		return 0;
	fprintf(stderr, "privforms: init: %s belongs to another user (%s), "
	    "not %s: chown it to %s (chown %s: %s), or run init as or with "
	    "--user its owner\n", path, describe(path, buf, sizeof(buf)),
	    o->name, o->name, o->name, path);
	return 1;
}

/*
 * Whether root may make path: every existing directory on the way to it
 * (and any link) is root's, and no one else can write to it (unless it
 * is sticky), so that nobody can swap a component or the new entry for a
 * symbolic link between root's mkdir and its chown.
 */
static int
safe_for_root(const char *path)
{
	struct stat	 sb;
	char		 p[PATH_MAX];
	size_t		 i, n;

	n = (size_t)snprintf(p, sizeof(p), "%s", path);
	if (n >= sizeof(p) || p[0] != '/')
		return 0;
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (lstat(p, &sb) == -1)
			return errno == ENOENT;	/* root makes the rest */
		if (sb.st_uid != 0 || (!S_ISLNK(sb.st_mode) &&
		    (!S_ISDIR(sb.st_mode) ||
		    ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
		    (sb.st_mode & S_ISVTX) == 0))))
			return 0;
		if (S_ISLNK(sb.st_mode) && (stat(p, &sb) == -1 ||
		    sb.st_uid != 0 || !S_ISDIR(sb.st_mode)))
			return 0;
		p[i] = i < n ? '/' : '\0';
	}
	return 1;
}

/*
 * A directory of o's that is open to more than mode (as adduser makes
 * a home directory, 0755) loses the extra bits; never through a link.
 * Run as o.  0, or -1.
 */
static int
tighten(const char *path, mode_t mode, const struct owner *o, int *done)
{
	struct stat	 sb;
	int		 fd, rc = 0;

	*done = 0;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) == -1)
		return errno == ELOOP ? 0 : -1;
	if (fstat(fd, &sb) == 0 && sb.st_uid == o->uid &&
	    (sb.st_mode & 07777 & ~mode) != 0) {
		if (fchmod(fd, sb.st_mode & 07777 & mode) == -1)
			rc = -1;
		else
			*done = 1;
	}
	close(fd);
	return rc;
}

/* mkdir path with exactly mode, for o; fd-based, never through a link. */
static int
mkdir_for(const char *path, mode_t mode, const struct owner *o)
{
	int	 fd, rc = 0;

	/* As root, only a directory made now (see safe_for_root). */
	if (mkdir(path, mode) == -1 && (o->root || errno != EEXIST))
		return -1;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) == -1)
		return -1;
	if (fchmod(fd, mode) == -1 ||
	    (o->root && fchown(fd, o->uid, o->gid) == -1))
		rc = -1;
	close(fd);
	return rc;
}

/*
 * Make dir (its missing parents 0755, so that the httpd can reach the
 * site directory) with exactly its mode, owned by o; an existing one is
 * kept once check_owner has accepted it, and narrowed to its mode by its
 * owner.  As root, a directory on a path someone else controls (inside
 * the service user's own data directory, say) is left for after the drop
 * (*later = 1): root makes nothing where the user could play tricks with
 * links.  again: the second pass, as the user.  0, or 1 said.
 */
static int
make_dir(const struct dir *d, const struct owner *o, int again, int *later)
{
	struct stat	 sb;
	char		 buf[128];
	mode_t		 old;
	int		 rc = 0, tight = 0;

	if (stat(d->path, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode)) {
			fprintf(stderr, "privforms: init: %s is not a "
			    "directory\n", d->path);
			return 1;
		}
		if (check_owner(d->path, o, 1))
			return 1;
		if (!o->root && tighten(d->path, d->mode, o, &tight) == -1) {
			fprintf(stderr, "privforms: init: %s: %s\n", d->path,
			    strerror(errno));
			return 1;
		}
		if (!again || tight)
			printf("%-10s %s (%s, %s)\n", d->what, d->path,
			    describe(d->path, buf, sizeof(buf)),
			    tight ? "kept, narrowed" : "kept");
		return 0;
	}
	old = umask(022);
	if (o->root && !safe_for_root(d->path))
		*later = 1;
	else if (pf_file_mkparent(d->path, 0755) != PF_OK ||
	    mkdir_for(d->path, d->mode, o) == -1)
		rc = 1;
	umask(old);
	if (rc != 0)
		fprintf(stderr, "privforms: init: cannot create %s: %s\n",
		    d->path, strerror(errno));
	else if (!*later)
		printf("%-10s %s (%s, created)\n", d->what, d->path,
		    describe(d->path, buf, sizeof(buf)));
	return rc;
}

/*
 * The directories, the data directory first: it is usually the key's and
 * holds the others.  The data directory is 0711, so that the httpd can
 * reach site/404.html without being able to list the rest.  Called
 * as root (what root may make) and again as the user (again = 1: the
 * rest).
 */
static int
make_dirs(const struct pf_config *cfg, const struct owner *o, int again)
{
	struct dir	 d[4] = {
		{ "data dir:", "", 0711 }, { "key dir:", "", 0700 },
		{ "audit:", "", 0750 }, { "site:", "", 0755 },
	};
	size_t		 i;
	int		 later = 0;

	/* PostgreSQL: no file of ours, so no data directory to make. */
	if (pf_store_engine(cfg->database) == PF_STORE_SQLITE)
		pf_file_dirname(cfg->database, d[0].path, sizeof(d[0].path));
	pf_file_dirname(cfg->key_file, d[1].path, sizeof(d[1].path));
	snprintf(d[2].path, sizeof(d[2].path), "%s", cfg->audit_dir);
	snprintf(d[3].path, sizeof(d[3].path), "%s", cfg->site_dir);
	for (i = 0; i < 4; i++) {
		if ((i == 0 && d[0].path[0] == '\0') ||
		    (i == 1 && strcmp(d[1].path, d[0].path) == 0))
			continue;
		if (make_dir(&d[i], o, again, &later) != 0)
			return 1;
		later = 0;
	}
	return 0;
}

/*
 * Become o for good (groups, gid, uid: in that order, while still
 * allowed), and check that root cannot be had back.  0, or 1 said.
 */
static int
drop_to(const struct owner *o)
{
	if (initgroups(o->name, o->gid) == -1 || setgid(o->gid) == -1 ||
	    setuid(o->uid) == -1) {
		fprintf(stderr, "privforms: init: cannot become %s: %s\n",
		    o->name, strerror(errno));
		return 1;
	}
	if (getuid() != o->uid || geteuid() != o->uid ||
	    getgid() != o->gid || getegid() != o->gid || setuid(0) == 0) {
		fprintf(stderr, "privforms: init: root privileges were not "
		    "dropped\n");
		return 1;
	}
	printf("user:      %s (uid %lu, gid %lu)\n", o->name,
	    (unsigned long)o->uid, (unsigned long)o->gid);
	return 0;
}

/* What recover_trail did, for the operator. */
static void
say_recovery(const struct pf_config *cfg, const struct pf_audit_recovery *r)
{
	long long	 head = r->backup_seq + r->recovered;

	printf("restore:   the database ends at audit record %lld, and %lld "
	    "record files are past it\n", r->backup_seq, r->found);
	if (r->recovered > 0)
		printf("audit:     records %lld to %lld taken back from their "
		    "files; what they record is not in the restored database\n",
		    r->backup_seq + 1, head);
	if (r->displaced > 0)
		printf("audit:     %lld files that do not chain on moved aside to "
		    "%s/displaced/%s\n", r->displaced, cfg->audit_dir, r->stamp);
	printf("audit:     record %lld audit-restored appended\n", head + 1);
	if (r->checkpoint > head)
		fprintf(stderr, "privforms: init: the newest checkpoint counts "
		    "%lld records, but only %lld are left: records %lld to %lld "
		    "are lost with their files, and the next records take their "
		    "numbers (record %lld says so; tell whoever holds that "
		    "checkpoint)\n", r->checkpoint, head, head + 1, r->checkpoint,
		    head + 1);
}

/*
 * After a restore: take back the records written since the backup from
 * their files (pf_audit_recover) and append one audit-restored record, in
 * one transaction.  Nothing to do is the usual case.  0, or 1 said.
 */
static int
recover_trail(struct ctx *c)
{
	struct pf_audit_recovery r;
	struct pf_txn		 t;
	int			 beyond, rc;

	memset(&t, 0, sizeof(t));	/* rolled back on failure, begun or not */
	if ((rc = pf_audit_beyond(c->st, c->cfg->audit_dir, &beyond)) != PF_OK)
		goto fail;
	if (!beyond)
		return 0;
	if (cli_begin(c, &t) != PF_OK)
		return 1;
	if ((rc = pf_audit_recover(c->st, c->cfg->audit_dir,
	    c->cfg->audit_schema, stderr, &r)) != PF_OK)
		goto fail;
	if (!r.restored) {
		pf_txn_rollback(&t);	/* a worker's file, after all */
		return 0;
	}
	if ((rc = pf_txn_audit_commit(&t, NULL, PF_AUDIT_RESTORED, NULL,
	    r.details)) != PF_OK)
		goto fail;
	say_recovery(c->cfg, &r);
	return 0;
fail:
	pf_txn_rollback(&t);
	fprintf(stderr, "privforms: init: the audit trail in %s could not be "
	    "looked at or taken up after a restore: %s (nothing recorded; "
	    "files already moved aside stay there)\n", c->cfg->audit_dir,
	    pf_strerror(rc));
	return 1;
}

static int
cmd_init(struct ctx *c, const struct cli_args *a)
{
	struct owner	 o;
	struct stat	 sb;
	const char	*user = a->opt[0];
	char		 buf[128];
	int		 v, rc, had_key, had_db;

	if (user != NULL && user[0] == '\0')
		return CLI_USAGE;
	if (cli_load(c) != 0 || find_owner(user, &o) != 0)
		return 1;
	if (check_owner(c->cfg->key_file, &o, 0) ||
	    check_owner(c->cfg->audit_signing_key, &o, 0) ||
	    (cli_db_is_file(c) && check_owner(c->cfg->database, &o, 1)) ||
	    make_dirs(c->cfg, &o, 0) != 0)
		return 1;
	if (o.root) {
		if (drop_to(&o) != 0)
			return 1;
		o.root = 0;
		if (make_dirs(c->cfg, &o, 1) != 0)
			return 1;
	}
	/* The error pages are public: their directory is 0755 whatever the umask. */
	if (chmod(c->cfg->site_dir, 0755) == -1) {
		fprintf(stderr, "privforms: init: %s: %s\n", c->cfg->site_dir,
		    strerror(errno));
		return 1;
	}
	/* Init may create the database (PostgreSQL: its schema, which the
	 * key's check below may be the first to open). */
	c->create = 1;
	if (key_needed_back(c))
		return 1;
	had_key = stat(c->cfg->key_file, &sb) == 0;
	if ((rc = pf_keys_create(c->cfg->key_file)) != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", c->cfg->key_file,
		    pf_strerror(rc));
		return 1;
	}
	printf("key file:  %s (%s, %s)\n", c->cfg->key_file,
	    describe(c->cfg->key_file, buf, sizeof(buf)),
	    had_key ? "kept" : "created");
	if (signing_key(c->cfg) != 0)
		return 1;
	had_db = stat(c->cfg->database, &sb) == 0;
	if (cli_open_store(c) != 0 || pf_store_schema_version(c->st, &v) != PF_OK)
		return 1;
	/* PostgreSQL: the schema is made (or brought up to date) by the open. */
	if (!cli_db_is_file(c))
		printf("database:  %s (PostgreSQL, schema %d)\n",
		    c->cfg->admin_database, v);
	else
		printf("database:  %s (%s, schema %d, journal %s, %s)\n",
		    c->cfg->database, describe(c->cfg->database, buf,
		    sizeof(buf)), v, pf_store_journal_mode(c->st),
		    had_db ? "kept" : "created");
	if (recover_trail(c) != 0)
		return 1;
	return render_site(c->cfg) == PF_OK ? 0 : 1;
}
