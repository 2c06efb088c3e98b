/* test_algos.c -- the OpenSSL algorithms, fetched once (algos.h). */
#include "algos.h"
#include "check_main.h"

START_TEST(test_each_algorithm_is_there_and_kept)
{
	const struct pf_algos	*a = pf_algos();

	ck_assert_ptr_nonnull(a->hmac);
	ck_assert_ptr_nonnull(a->sha256);
	ck_assert_ptr_nonnull(a->hkdf);
	ck_assert_ptr_nonnull(a->aes_ctr);
	/* Fetched once: the same objects on every later call. */
	ck_assert_ptr_eq(pf_algos(), a);
	ck_assert_ptr_eq(pf_algos()->hmac, a->hmac);
	ck_assert_ptr_eq(pf_algos()->aes_ctr, a->aes_ctr);
	ck_assert(EVP_MD_is_a(a->sha256, "SHA256"));
	ck_assert(EVP_CIPHER_is_a(a->aes_ctr, "AES-256-CTR"));
	ck_assert(EVP_MAC_is_a(a->hmac, "HMAC"));
	ck_assert(EVP_KDF_is_a(a->hkdf, "HKDF"));
}
END_TEST

PF_TEST_MAIN("algos",
    tcase_add_test(tc, test_each_algorithm_is_there_and_kept))
