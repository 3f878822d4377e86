/*
 * The one error enum of the hypervisor: functions return 0 or one of these, negated. Host tools that share
 * core code (the config checker, the page-table builder) use the same values.
 *
 * X(number, NAME, description): the one table (fault plans name errors by NAME, e.g. ENOMEM).
 */
#ifndef TESSERA_ERROR_H
#define TESSERA_ERROR_H

#define TESSERA_HV_ERRORS(X)                                                           \
	X(1, ENOMEM, "out of memory")	 /* page pool or a fixed table is exhausted */ \
	X(2, EINVAL, "invalid argument") /* bad argument or malformed input */         \
	X(3, EEXIST, "already exists")	 /* already mapped / already present */        \
	X(4, ENOENT, "not found")	 /* no such object */                          \
	X(5, ERANGE, "out of range")	 /* outside the allowed range */               \
	X(6, EPERM, "not permitted")	 /* not allowed by the cell's config */        \
	X(7, ENOTSUP, "not supported")	 /* the CPU or platform lacks a feature */     \
	X(8, EBUSY, "busy")		 /* the object is in use */                    \
	X(9, EIO, "I/O error")		 /* a device did not answer */                 \
	X(10, ECORRUPT, "corrupt")	 /* a checksum or magic number is wrong */

enum hv_error {
	HV_OK = 0,
#define HV_ERROR_ENUM(num, NAME, desc) HV_##NAME = num,
	TESSERA_HV_ERRORS(HV_ERROR_ENUM)
#undef HV_ERROR_ENUM
		HV_ERROR_END
};

/* A short name for an error code, for log lines. */
const char *hv_strerror(int err);

#endif
