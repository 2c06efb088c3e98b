/* test_keys.c -- the key file, subkeys, pseudonyms and digests (keys.h). */
#include <sys/stat.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "hex.h"
#include "keys.h"
#include "nitems.h"

#define ZERO_KEY "0000000000000000000000000000000000000000000000000000000000000000"
#define SEQ_KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/* HMAC-SHA256(master, label), computed independently (Python's hmac). */
#define ZERO_TOKEN "666c50dc7271e200f81b123b2a9526e63d5407f82eddbdf53204f2746288b2dd"
#define ZERO_PSEUDONYM "523d346fef5fd61b6f066205d570b29054b33bcbf0189da99f46e2fc9417ad48"
#define SEQ_TOKEN "d2406602cc9caea115f316622949ece77dfa4dbf0a65a55862086e10a567b7e8"
#define ZERO_POW "c5a4014ccc85af067710846fb5259c61f2e24294c059c1c0b60dd4052085aa3e"
#define SEQ_POW "bbc622bfeeb95b8c5c17d9f11623e30da239906a20fc427958fb5547adf77f4b"
/* HMAC-SHA256(ZERO_PSEUDONYM, "email:alice@example.com") */
#define ALICE "101ea60632d74630e0cc5a3d7c6076ccfd779255a2de3b09fdc4381e5796c7c9"

static void
write_file(const char *path, const char *content, size_t len, mode_t mode)
{
	int	 fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

START_TEST(test_create_writes_0600_hex_and_newline)
{
	struct stat	 st;
	char		 buf[128];
	mode_t		 old = umask(0);

	ck_assert_int_eq(pf_keys_create(fx.keyfile), PF_OK);
	umask(old);
	ck_assert_int_eq(stat(fx.keyfile, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(pf_test_read(fx.keyfile, buf, sizeof(buf)), 65);
	ck_assert_uint_eq(strspn(buf, "0123456789abcdef"), 64);
	ck_assert_int_eq(buf[64], '\n');
}
END_TEST

START_TEST(test_create_twice_leaves_key_alone)
{
	char	 a[128], b[128];

	ck_assert_int_eq(pf_keys_create(fx.keyfile), PF_OK);
	pf_test_read(fx.keyfile, a, sizeof(a));
	ck_assert_int_eq(pf_keys_create(fx.keyfile), PF_OK);
	pf_test_read(fx.keyfile, b, sizeof(b));
	ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(test_create_makes_different_keys)
{
	char	 other[PF_TEST_PATH], a[128], b[128];

	snprintf(other, sizeof(other), "%s/other.key", fx.dir);
	ck_assert_int_eq(pf_keys_create(fx.keyfile), PF_OK);
	ck_assert_int_eq(pf_keys_create(other), PF_OK);
	pf_test_read(fx.keyfile, a, sizeof(a));
	pf_test_read(other, b, sizeof(b));
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_create_in_missing_directory_fails)
{
	char	 p[PF_TEST_PATH];

	snprintf(p, sizeof(p), "%s/no/such/secret.key", fx.dir);
	ck_assert_int_eq(pf_keys_create(p), PF_EIO);
}
END_TEST

START_TEST(test_created_key_loads)
{
	struct pf_keys	 k;

	ck_assert_int_eq(pf_keys_create(fx.keyfile), PF_OK);
	ck_assert_int_eq(pf_keys_load(fx.keyfile, &k), PF_OK);
	ck_assert(memcmp(k.token, k.pseudonym, PF_KEY_LEN) != 0);
	ck_assert(memcmp(k.pow, k.token, PF_KEY_LEN) != 0);
	ck_assert(memcmp(k.pow, k.pseudonym, PF_KEY_LEN) != 0);
}
END_TEST

START_TEST(test_load_is_deterministic)
{
	struct pf_keys	 a, b;

	ck_assert_int_eq(pf_keys_create(fx.keyfile), PF_OK);
	memset(&a, 0, sizeof(a));
	memset(&b, 0xff, sizeof(b));
	ck_assert_int_eq(pf_keys_load(fx.keyfile, &a), PF_OK);
	ck_assert_int_eq(pf_keys_load(fx.keyfile, &b), PF_OK);
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
}
END_TEST

/* Master keys and their subkeys (NULL: not computed independently). */
static const struct {
	const char	*key, *token, *pseudonym, *pow;
} vectors[] = {
	{ ZERO_KEY, ZERO_TOKEN, ZERO_PSEUDONYM, ZERO_POW },
	{ SEQ_KEY, SEQ_TOKEN, NULL, SEQ_POW },
};

/* Subkey k is want, as hex (want NULL: anything). */
static void
subkey_is(const unsigned char *k, const char *want)
{
	char	 h[2 * PF_KEY_LEN + 1];

	pf_test_hex(k, PF_KEY_LEN, h);
	if (want != NULL)
		ck_assert_str_eq(h, want);
}

START_TEST(test_load_derives_known_subkeys)
{
	struct pf_keys	 k;
	char		 line[2 * PF_KEY_LEN + 2];

	snprintf(line, sizeof(line), "%s\n", vectors[_i].key);
	write_file(fx.keyfile, line, 65, 0600);
	ck_assert_int_eq(pf_keys_load(fx.keyfile, &k), PF_OK);
	subkey_is(k.token, vectors[_i].token);
	subkey_is(k.pseudonym, vectors[_i].pseudonym);
	subkey_is(k.pow, vectors[_i].pow);
}
END_TEST

START_TEST(test_load_accepts_upper_case_and_no_newline)
{
	struct pf_keys	 a, b;
	char		 up[65];
	size_t		 i;

	for (i = 0; i < 64; i++)
		up[i] = (char)toupper((unsigned char)SEQ_KEY[i]);
	write_file(fx.keyfile, SEQ_KEY "\n", 65, 0600);
	ck_assert_int_eq(pf_keys_load(fx.keyfile, &a), PF_OK);
	write_file(fx.keyfile, up, 64, 0400);
	ck_assert_int_eq(pf_keys_load(fx.keyfile, &b), PF_OK);
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
}
END_TEST

START_TEST(test_load_refuses_group_and_other_bits)
{
	static const mode_t	 bad[] = { 0640, 0620, 0610, 0604, 0602, 0601,
	    0660, 0644, 0666, 0700 | 0070 };
	struct pf_keys		 k;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		write_file(fx.keyfile, ZERO_KEY "\n", 65, bad[i]);
		ck_assert_msg(pf_keys_load(fx.keyfile, &k) == PF_ECONFIG,
		    "mode %o", (unsigned)bad[i]);
	}
	write_file(fx.keyfile, ZERO_KEY "\n", 65, 0600);
	ck_assert_int_eq(pf_keys_load(fx.keyfile, &k), PF_OK);
}
END_TEST

START_TEST(test_load_refuses_bad_content)
{
	static const char *const bad[] = {
		"",
		"\n",
		"000000000000000000000000000000000000000000000000000000000000000\n",
		"00000000000000000000000000000000000000000000000000000000000000000\n",
		"000000000000000000000000000000000000000000000000000000000000000g\n",
		"g000000000000000000000000000000000000000000000000000000000000000\n",
		"000000000000000000000000000000000000000000000000000000000000000 \n",
		" 0000000000000000000000000000000000000000000000000000000000000000",
		ZERO_KEY "\n\n",
		ZERO_KEY " ",
		ZERO_KEY "\r\n",
		ZERO_KEY "\n" ZERO_KEY "\n",
	};
	struct pf_keys	 k;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		write_file(fx.keyfile, bad[i], strlen(bad[i]), 0600);
		ck_assert_msg(pf_keys_load(fx.keyfile, &k) == PF_ECONFIG,
		    "case %zu", i);
	}
}
END_TEST

START_TEST(test_load_refuses_nul_in_key)
{
	char		 buf[65];
	struct pf_keys	 k;

	memcpy(buf, ZERO_KEY "\n", 65);
	buf[10] = '\0';
	write_file(fx.keyfile, buf, 65, 0600);
	ck_assert_int_eq(pf_keys_load(fx.keyfile, &k), PF_ECONFIG);
}
END_TEST

/*
 * pf_keys_load(path), with what it logged (stderr) in said: the result.
 * The key file's reason must name the fix, so the tests read it.
 */
static int
load_said(const char *path, char *said, size_t size)
{
	struct pf_keys	 k;
	int		 rc;

	pf_test_capture();
	rc = pf_keys_load(path, &k);
	pf_test_captured(said, size);
	return rc;
}

START_TEST(test_load_refuses_a_symbolic_link)
{
	char	 real[PF_TEST_PATH], said[1024];

	snprintf(real, sizeof(real), "%s/real.key", fx.dir);
	write_file(real, ZERO_KEY "\n", 65, 0600);
	ck_assert_int_eq(symlink(real, fx.keyfile), 0);
	ck_assert_int_eq(load_said(fx.keyfile, said, sizeof(said)), PF_ECONFIG);
	ck_assert_ptr_nonnull(strstr(said, "symbolic link"));
	ck_assert_ptr_nonnull(strstr(said, fx.keyfile));
	/* A dangling link is refused as a link, not taken for no key. */
	ck_assert_int_eq(unlink(real), 0);
	ck_assert_int_eq(load_said(fx.keyfile, said, sizeof(said)), PF_ECONFIG);
}
END_TEST

START_TEST(test_load_refuses_bits_beyond_0600_saying_chmod)
{
	static const mode_t	 bad[] = { 0700, 0500, 0640, 0604, 04600,
	    02600, 01600 };
	static const mode_t	 good[] = { 0600, 0400, 0200 | 0400 };
	char			 said[1024], fix[PF_TEST_PATH + 16];
	size_t			 i;

	snprintf(fix, sizeof(fix), "chmod 600 %s", fx.keyfile);
	for (i = 0; i < nitems(bad); i++) {
		write_file(fx.keyfile, ZERO_KEY "\n", 65, bad[i]);
		ck_assert_msg(load_said(fx.keyfile, said, sizeof(said)) ==
		    PF_ECONFIG, "mode %o", (unsigned)bad[i]);
		ck_assert_msg(strstr(said, fix) != NULL, "%s", said);
	}
	for (i = 0; i < nitems(good); i++) {
		write_file(fx.keyfile, ZERO_KEY "\n", 65, good[i]);
		ck_assert_msg(load_said(fx.keyfile, said,
		    sizeof(said)) == PF_OK,
		    "mode %o: %s", (unsigned)good[i], said);
	}
}
END_TEST

/*
 * Only root can give a file away; others check that their own key passes
 * (a key of another user's they could read would need group or other
 * bits, refused above).
 */
START_TEST(test_load_refuses_a_key_of_another_user_saying_chown)
{
	char	 said[1024], fix[PF_TEST_PATH + 16];

	write_file(fx.keyfile, ZERO_KEY "\n", 65, 0600);
	ck_assert_int_eq(load_said(fx.keyfile, said, sizeof(said)), PF_OK);
	if (geteuid() != 0)
		return;
	ck_assert_int_eq(chown(fx.keyfile, 65534, 65534), 0);
	ck_assert_int_eq(load_said(fx.keyfile, said, sizeof(said)), PF_ECONFIG);
	snprintf(fix, sizeof(fix), "chown 0 %s", fx.keyfile);
	ck_assert_msg(strstr(said, fix) != NULL, "%s", said);
	ck_assert_ptr_nonnull(strstr(said, "uid 65534"));
}
END_TEST

/* Paths that hold no key file, each made by a function. */
static int
make_nothing(const char *path)
{
	(void)path;
	return 0;
}

static int
make_directory(const char *path)
{
	return mkdir(path, 0700);
}

static int
make_fifo(const char *path)
{
	return mkfifo(path, 0600);
}

static const struct {
	const char	*what;
	int		(*make)(const char *);
	int		 want;
} not_key_files[] = {
	{ "missing file", make_nothing, PF_ENOTFOUND },
	{ "directory", make_directory, PF_ECONFIG },
	{ "fifo (not waited on)", make_fifo, PF_ECONFIG },
};

START_TEST(test_load_refuses_what_is_no_key_file)
{
	struct pf_keys	 k;

	ck_assert_int_eq(not_key_files[_i].make(fx.keyfile), 0);
	ck_assert_msg(pf_keys_load(fx.keyfile, &k) == not_key_files[_i].want,
	    "%s", not_key_files[_i].what);
}
END_TEST

START_TEST(test_pseudonym_known_value)
{
	struct pf_keys	 k;
	char		 out[PF_HEX_DIGEST_LEN + 1];

	write_file(fx.keyfile, ZERO_KEY "\n", 65, 0600);
	ck_assert_int_eq(pf_keys_load(fx.keyfile, &k), PF_OK);
	ck_assert_int_eq(pf_pseudonym(&k, "email", "alice@example.com", out), PF_OK);
	ck_assert_str_eq(out, ALICE);
}
END_TEST

START_TEST(test_pseudonym_depends_on_kind_value_and_key)
{
	struct pf_keys	 k, k2;
	char		 a[PF_HEX_DIGEST_LEN + 1], b[PF_HEX_DIGEST_LEN + 1];

	memset(&k, 1, sizeof(k));
	memset(&k2, 2, sizeof(k2));
	ck_assert_int_eq(pf_pseudonym(&k, "phone", "+12015550123", a), PF_OK);
	ck_assert_int_eq(pf_pseudonym(&k, "phone", "+12015550123", b), PF_OK);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(pf_pseudonym(&k, "email", "+12015550123", b), PF_OK);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(pf_pseudonym(&k, "phone", "+12015550124", b), PF_OK);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(pf_pseudonym(&k2, "phone", "+12015550123", b), PF_OK);
	ck_assert_str_ne(a, b);
	ck_assert_uint_eq(strlen(a), PF_HEX_DIGEST_LEN);
}
END_TEST

START_TEST(test_pseudonym_refuses_ambiguous_kind)
{
	struct pf_keys	 k;
	char		 out[PF_HEX_DIGEST_LEN + 1];

	memset(&k, 1, sizeof(k));
	ck_assert_int_eq(pf_pseudonym(&k, "a:b", "c", out), PF_EINVAL);
	ck_assert_int_eq(pf_pseudonym(&k, "", "c", out), PF_EINVAL);
	ck_assert_int_eq(pf_pseudonym(&k, NULL, "c", out), PF_EINVAL);
	ck_assert_int_eq(pf_pseudonym(&k, "a", NULL, out), PF_EINVAL);
}
END_TEST

START_TEST(test_sha256_hex_known_values)
{
	char	 out[PF_HEX_DIGEST_LEN + 1];

	ck_assert_int_eq(pf_sha256_hex("", 0, out), PF_OK);
	ck_assert_str_eq(out,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert_int_eq(pf_sha256_hex("abc", 3, out), PF_OK);
	ck_assert_str_eq(out,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

/*
 * pf_hmac, whole and in two pieces, against Python's hmac module (key: the
 * bytes 0 to 31) and against OpenSSL's one-shot HMAC(), which token.c and
 * guard.c called before.
 */
START_TEST(test_hmac_known_answers)
{
	static const struct {
		const char	*msg;
		size_t		 len, cut;	/* pieces [0, cut), [cut, len) */
		const char	*hex;
	} cases[] = {
		{ "what do ya want for nothing?", 28, 4, "099805f4ac310786968565c0"
		    "98db515cc50862b420ae31e20238312344bed36a" },
		{ "", 0, 0, "d38b42096d80f45f826b44a9d5607de72496a415d3f4a1a8"
		    "c88e3bb9da8dc1cb" },
		{ "\0\xff\n\r\0", 5, 1, "d6fb10ca064ec5e89dda5075a984b399864"
		    "87fa59af435bf76a37b55597cd94a" },
	};
	unsigned char	 key[PF_KEY_LEN], mac[PF_KEY_LEN], one[PF_KEY_LEN];
	char		 hex[2 * PF_KEY_LEN + 1];
	struct pf_bytes	 parts[2];
	unsigned int	 len;
	size_t		 i;

	for (i = 0; i < PF_KEY_LEN; i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < nitems(cases); i++) {
		parts[0] = (struct pf_bytes){ cases[i].msg, cases[i].len };
		ck_assert_int_eq(pf_hmac(key, parts, 1, mac), PF_OK);
		pf_hex_encode(mac, sizeof(mac), hex);
		ck_assert_str_eq(hex, cases[i].hex);
		ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, PF_KEY_LEN,
		    (const unsigned char *)cases[i].msg, cases[i].len, one,
		    &len));
		ck_assert_mem_eq(mac, one, PF_KEY_LEN);
		parts[0].len = cases[i].cut;
		parts[1] = (struct pf_bytes){ cases[i].msg + cases[i].cut,
		    cases[i].len - cases[i].cut };
		ck_assert_int_eq(pf_hmac(key, parts, 2, mac), PF_OK);
		ck_assert_mem_eq(mac, one, PF_KEY_LEN);
	}
}
END_TEST

/*
 * pf_hmac keeps one context and keys it again on each call: Python's hmac
 * module's values, with keys changing between calls as the programs
 * change them (token, pseudonym, pow).
 */
START_TEST(test_hmac_known_values_as_keys_change)
{
	static const struct {
		unsigned char	 fill;	/* 0: bytes 0, 1, ..., 31 */
		const char	*msg;
		const char	*hex;
	} t[] = {
		{ 0, "privforms", "5bf3dccfbe74d97d03aecb9bff4019308b3122d0e176f"
		    "91b3807e09560c1f817" },
		{ 0xff, "privforms", "8c824bc5be04579bd6559319aa023831e3e934feb3d"
		    "7089bfbbdae9cdd736275" },
		{ 0, "", "d38b42096d80f45f826b44a9d5607de72496a415d3f4a1a8c88e3"
		    "bb9da8dc1cb" },
	};
	unsigned char	 key[PF_KEY_LEN], mac[PF_KEY_LEN];
	char		 hex[2 * PF_KEY_LEN + 1];
	struct pf_bytes	 part;
	size_t		 i, j, round;

	for (round = 0; round < 2; round++)
		for (i = 0; i < nitems(t); i++) {
			for (j = 0; j < PF_KEY_LEN; j++)
				key[j] = t[i].fill ? t[i].fill : (unsigned char)j;
			part = (struct pf_bytes){ t[i].msg, strlen(t[i].msg) };
			ck_assert_int_eq(pf_hmac(key, &part, 1, mac), PF_OK);
			pf_hex_encode(mac, sizeof(mac), hex);
			ck_assert_str_eq(hex, t[i].hex);
		}
}
END_TEST

/*
 * pf_hmac keeps a keyed context per key, the last few: keys coming back
 * after more others than it keeps, and keys one byte apart, still give
 * OpenSSL's one-shot HMAC() of each.
 */
START_TEST(test_hmac_many_keys_come_back)
{
	unsigned char	 key[PF_KEY_LEN], mac[PF_KEY_LEN], want[PF_KEY_LEN];
	unsigned int	 wantlen;
	struct pf_bytes	 part = { "privforms", 9 };
	size_t		 round, k;

	for (round = 0; round < 3; round++)
		for (k = 0; k < 20; k++) {
			memset(key, 0x5a, sizeof(key));
			key[PF_KEY_LEN - 1] = (unsigned char)(round == 2 ?
			    19 - k : k);
			ck_assert_int_eq(pf_hmac(key, &part, 1, mac), PF_OK);
			ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key,
			    PF_KEY_LEN, part.p, part.len, want, &wantlen));
			ck_assert_mem_eq(mac, want, PF_KEY_LEN);
		}
}
END_TEST

START_TEST(test_random_fills_differently)
{
	unsigned char	 a[32], b[32];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	ck_assert_int_eq(pf_random(a, sizeof(a)), PF_OK);
	ck_assert_int_eq(pf_random(b, sizeof(b)), PF_OK);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert_int_eq(pf_random(a, 0), PF_OK);
}
END_TEST

PF_TEST_MAIN("keys",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, NULL, NULL),
    tcase_add_test(tc, test_create_writes_0600_hex_and_newline),
    tcase_add_test(tc, test_create_twice_leaves_key_alone),
    tcase_add_test(tc, test_create_makes_different_keys),
    tcase_add_test(tc, test_create_in_missing_directory_fails),
    tcase_add_test(tc, test_created_key_loads),
    tcase_add_test(tc, test_load_is_deterministic),
    tcase_add_test(tc, test_load_accepts_upper_case_and_no_newline),
    tcase_add_test(tc, test_load_refuses_group_and_other_bits),
    tcase_add_test(tc, test_load_refuses_bad_content),
    tcase_add_test(tc, test_load_refuses_nul_in_key),
    tcase_add_test(tc, test_load_refuses_a_symbolic_link),
    tcase_add_test(tc, test_load_refuses_bits_beyond_0600_saying_chmod),
    tcase_add_test(tc, test_load_refuses_a_key_of_another_user_saying_chown),
    tcase_add_test(tc, test_pseudonym_known_value),
    tcase_add_test(tc, test_pseudonym_depends_on_kind_value_and_key),
    tcase_add_test(tc, test_pseudonym_refuses_ambiguous_kind),
    tcase_add_test(tc, test_sha256_hex_known_values),
    tcase_add_test(tc, test_hmac_known_answers),
    tcase_add_test(tc, test_hmac_known_values_as_keys_change),
    tcase_add_test(tc, test_hmac_many_keys_come_back),
    tcase_add_test(tc, test_random_fills_differently),
    PF_LOOP(test_load_refuses_what_is_no_key_file, not_key_files),
    PF_LOOP(test_load_derives_known_subkeys, vectors))
