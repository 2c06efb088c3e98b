/*
 * algos.c -- the OpenSSL algorithms, fetched once per process (algos.h).
 */
#include "algos.h"

const struct pf_algos *
pf_algos(void)
{
	static struct pf_algos	 a;

	if (a.hmac == NULL)
		a.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (a.sha256 == NULL)
		a.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (a.hkdf == NULL)
		a.hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	/* Not EVP_aes_256_ctr(), which fetches it again on every use. */
	if (a.aes_ctr == NULL)
		a.aes_ctr = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL);
	return &a;
}
