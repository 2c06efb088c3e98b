/*
 * algos.h -- the OpenSSL algorithms privforms computes with, fetched once.
 *
 * Fetching an algorithm from OpenSSL 3's providers costs more than hashing
 * or deriving from our short inputs, so each is fetched once per process
 * and kept for its life (a worker computes a pseudonym and a digest for
 * every submission, and makes and checks tokens under one key).  One place
 * holds them, so the names fetched are written once.
 */
#ifndef PF_ALGOS_H
#define PF_ALGOS_H

#include <openssl/evp.h>
#include <openssl/kdf.h>

struct pf_algos {
	EVP_MAC		*hmac;		/* HMAC (keys.h) */
	EVP_MD		*sha256;	/* SHA-256 (keys.h) */
	EVP_KDF		*hkdf;		/* HKDF (token.c's subkeys) */
	EVP_CIPHER	*aes_ctr;	/* AES-256-CTR (token.c's cipher) */
};

/*
 * The algorithms, kept by this module for the process's life (never
 * freed).  A member is NULL while OpenSSL has no such algorithm: it is
 * fetched again on the next call, and a caller that finds its one NULL
 * fails with PF_ECRYPTO.
 */
const struct pf_algos *pf_algos(void);

#endif
