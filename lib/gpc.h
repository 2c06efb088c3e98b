/*
 * gpc.h -- the Global Privacy Control opt-out record: what a request that
 * carries the signal (consent.h's pf_consent_gpc) stores for its browser.
 *
 * The regulations (CCPA s. 7025, Colorado rule 5.08) make Sec-GPC: 1 a
 * valid opt-out of sale, sharing and targeted advertising for the
 * browser.  Its evidence is one consent record (store.h) per device per
 * UTC day, not one per page view:
 *
 *	method	 gpc, gpc 1
 *	allowed	 the device's last record's categories without the sale
 *		 ones, the required ones always (none before: the required
 *		 ones only)
 *	action	 withdrawn when that last record allowed a sale category,
 *		 else refused
 *
 * but none while the device's last record, made with the signal, allows
 * a sale category: a choice the visitor confirmed under the signal (CCPA
 * regulations s. 7025(c)(3); consent.c asks first), which the signal it
 * overrode does not withdraw; with the consent-recorded audit record (form consent, whichever program
 * writes it: the record is the consent manager's; audit_events.def),
 * notice version and categories from the table the caller passes, the
 * language and jurisdiction from the configuration (consent_language,
 * consent_jurisdiction).
 */
#ifndef PF_GPC_H
#define PF_GPC_H

#include "app.h"
#include "consent.h"

/*
 * Inside app's open write transaction (pf_app_begin): the GPC opt-out of
 * device (22 base64url characters, consent.h) as above, unless device
 * has a gpc record already this UTC day or the confirmed choice above,
 * for req (its id in the audit
 * record; may be NULL).  PF_OK whether it stored one or not; a store or
 * audit error, after which the caller rolls back.
 */
int pf_gpc_record(struct pf_app *app, const struct pf_request *req,
    const struct pf_consent_table *t, const char *device);

#endif
