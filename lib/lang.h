/*
 * lang.h -- the language a process speaks now: messages through GNU
 * gettext, one catalogue (text domain "privforms") per language.
 *
 * Languages are named two ways, each in its own place: the BCP 47 tag
 * ("pt-BR") in HTTP, HTML, links, stamps, tokens and the store, and the
 * gettext name ("pt_BR": the tag with '-' as '_') on disk, for the
 * catalogue po/pt_BR.po and what the build makes of it (the .mo file in
 * LOCALE_DIR/pt_BR/LC_MESSAGES/privforms.mo, the templates in
 * htdocs/pt_BR/, the mail templates in etc/mail/pt_BR/).  The messages'
 * own language, English, has no catalogue: its tag is PF_LANG_SOURCE.
 *
 * In C, a message the visitor reads is written _("...") where it is used,
 * and N_("...") in a table (marked for the catalogue, translated when it
 * is used: _(table[i].label)); C_("context", "...") tells apart two
 * messages with the same English words.  xgettext finds all three.
 *
 * The process keeps one current language: pf_lang_use switches it, and
 * every later gettext, page and date is in it until the next switch.  A
 * program switches once per request, before its handler runs (a request
 * is one process's only work at a time); the team's command switches for
 * each mail it writes to a person, and back.  glibc reads the language
 * from LANGUAGE, which it honours under any locale but "C", so
 * pf_lang_init sets the C.UTF-8 locale (every Debian system has it, it
 * needs no locale generated) and pf_lang_use sets LANGUAGE and tells
 * gettext its cached lookups are stale, as the gettext manual says to.
 */
#ifndef PF_LANG_H
#define PF_LANG_H

#include <stddef.h>

#include <libintl.h>

#define PF_TEXTDOMAIN	"privforms"
#define PF_LANG_SOURCE	"en"	/* the tag of the messages as written */
#define PF_LANG_MAX	16	/* longest tag or name, with its NUL */

#define _(msgid)		gettext(msgid)
#define N_(msgid)		(msgid)
#define C_(context, msgid)	pf_lang_pgettext(context "\004" msgid, msgid)

/*
 * Once per process, before any message: the C.UTF-8 locale, and the
 * catalogues of dir (LOCALE_DIR above; NULL: gettext's built-in
 * default).  Then PF_LANG_SOURCE is current.  PF_EINVAL if the locale
 * cannot be set.
 */
int pf_lang_init(const char *dir);

/*
 * Make tag current.  A tag is 2 or 3 lower-case letters, optionally '-'
 * and 2 to 8 letters or digits ("de", "pt-BR", "zh-CN", "en-XA"):
 * PF_EINVAL (and nothing changes) for anything else.  Whether there is a
 * catalogue for it is not checked here: messages it has no translation
 * for come out in English.
 */
int pf_lang_use(const char *tag);

/* The current tag ("en" until pf_lang_use). */
const char *pf_lang_current(void);

/*
 * Whether the visitor chose the current language: a request's language
 * comes first from the visitor's own choice (?lang=, or the language a
 * posted form was shown in, sealed in its stamp), then from a signed
 * link they followed, then from what their browser asks for.  The
 * program skeleton sets it once per request, before the handler:
 * pf_lang_choose for a choice, pf_lang_use otherwise; serve.c starts
 * each request in PF_LANG_SOURCE with nothing chosen, so that nothing of
 * the last request's language is left to this one.  A handler that reads a signed link then
 * calls pf_lang_follow with the link's language, which switches only when
 * nothing was chosen.
 */
int pf_lang_choose(const char *tag);	/* pf_lang_use, and chosen */
int pf_lang_chosen(void);		/* 1 since pf_lang_choose, else 0 */

/*
 * Write in tag for a while, then go back: pf_lang_push saves the current
 * tag into saved and makes tag current; pf_lang_pop(saved) makes the
 * saved one current again.  Neither changes pf_lang_chosen.  For a mail
 * in its reader's language (the person's stored one, or the team's
 * default_language) written while a request in another is served.
 * PF_EINVAL for a malformed tag: nothing changes, and the pop is then
 * harmless.
 */
int pf_lang_push(const char *tag, char saved[PF_LANG_MAX]);
void pf_lang_pop(const char saved[PF_LANG_MAX]);

/*
 * A signed link's (or a stamp's) language: tag made current unless the
 * visitor chose one (pf_lang_chosen) or the site does not offer it
 * (pf_lang_find: languages edited since the link was mailed; before
 * pf_lang_site only PF_LANG_SOURCE is offered); then the current one
 * stays, and PF_OK.  PF_EINVAL for a malformed tag (nothing changes),
 * whether or not one was chosen, so a link's check fails the same way.
 */
int pf_lang_follow(const char *tag);

/*
 * The gettext name of a well-formed tag ("pt-BR" -> "pt_BR") into
 * name[PF_LANG_MAX].  PF_EINVAL for a malformed tag.
 */
int pf_lang_name(const char *tag, char name[PF_LANG_MAX]);

/* C_()'s lookup: the translation of "context\004msgid", or msgid. */
const char *pf_lang_pgettext(const char *key, const char *msgid);

/*
 * The site's languages: the tags it offers (config.h's languages, e.g.
 * "en de pt-BR") and its default_language, which must be one of them.
 * pf_lang_site reads, once per process after pf_lang_init, each offered
 * language's own name and direction from its catalogue (the messages
 * C_("language-name", "English") and C_("language-direction", "ltr"), which
 * its translator writes: "Deutsch", "rtl"), switching to each in turn,
 * and leaves the default current.  PF_EINVAL (err says why) for a list that
 * is empty, longer than PF_LANG_OFFER_MAX, repeats a tag or holds one that
 * pf_lang_name refuses, or a default it does not hold.  A catalogue that
 * is missing only costs the language its own name (English's is used) and
 * gives it "ltr"; a direction other than "ltr" or "rtl" is "ltr".
 */
#define PF_LANG_OFFER_MAX	32
#define PF_LANG_LABEL_MAX	64	/* a language's own name, with its NUL */

struct pf_lang {
	char	 tag[PF_LANG_MAX];	/* as the configuration spells it */
	char	 label[PF_LANG_LABEL_MAX]; /* its own name: "Deutsch" */
	char	 dir[4];		/* "ltr" or "rtl" */
};

int pf_lang_site(const char *languages, const char *default_tag, char *err,
    size_t errlen);

/* The offered languages, in the configuration's order, and how many. */
const struct pf_lang *pf_lang_offered(size_t *n);

/* The site's default language (PF_LANG_SOURCE before pf_lang_site). */
const char *pf_lang_default(void);

/*
 * The offered language whose tag is tag, compared without regard to case
 * ("PT-br" finds "pt-BR"), or NULL: what ?lang= names.
 */
const struct pf_lang *pf_lang_find(const char *tag);

/* The current language's direction, "ltr" or "rtl" (its pf_lang's). */
const char *pf_lang_dir(void);

/*
 * RFC 4647 "lookup" (section 3.4) of an Accept-Language header (RFC 9110
 * 12.5.4) against the tags tags[0..ntags): the ranges by weight (q,
 * highest first, equal weights in the header's order); for each, the
 * first tag equal to it without regard to case, else to it truncated
 * (its last subtag removed, and a single-letter subtag left at the end
 * with it: "zh-Hant-x-abc" -> "zh-Hant" -> "zh"), until nothing is left.
 * A range of weight 0 is never used, nor is a tag it names exactly
 * ("de-AT, de;q=0" finds no "de"); "*" is ignored (the caller's default
 * answers it); a part that is not a range with at most a weight
 * (";q=0.5") is skipped, as is everything after the first
 * PF_LANG_RANGES_MAX parts.  The tag found (a pointer into tags), or NULL.
 */
#define PF_LANG_RANGES_MAX	32
const char *pf_lang_lookup(const char *header, const char *const *tags,
    size_t ntags);

/*
 * url with "lang=TAG" added to its query, before any fragment
 * ("/privacy/request?type=other#top" -> "...?type=other&lang=de#top"): the
 * link that keeps a language chosen with ?lang=.  A new string, or NULL
 * when out of memory.
 */
#define PF_LANG_PARAM	"lang"
char *pf_lang_url(const char *url, const char *tag);

/*
 * Whether url's query (between '?' and any fragment) has a lang parameter
 * of its own, so that a language is not added twice ("?slang=x" has none).
 */
int pf_lang_url_has(const char *url);

/* pf_lang_lookup against the offered languages: an offered tag, or NULL. */
const char *pf_lang_negotiate(const char *header);

#endif
