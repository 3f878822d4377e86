/*
 * The one error enum of the hypervisor: functions return 0 or one of these, negated. Host tools that share
 * core code (the config checker, the page-table builder) use the same values.
 */
#ifndef TESSERA_ERROR_H
#define TESSERA_ERROR_H

enum hv_error {
	HV_OK = 0,
	HV_ENOMEM = 1,	 /* page pool or a fixed table is exhausted */
	HV_EINVAL = 2,	 /* bad argument or malformed input */
	HV_EEXIST = 3,	 /* already mapped / already present */
	HV_ENOENT = 4,	 /* no such object */
	HV_ERANGE = 5,	 /* outside the allowed range */
	HV_EPERM = 6,	 /* not allowed by the cell's config */
	HV_ENOTSUP = 7,	 /* the CPU or platform lacks a feature */
	HV_EBUSY = 8,	 /* the object is in use */
	HV_EIO = 9,	 /* a device did not answer */
	HV_ECORRUPT = 10 /* a checksum or magic number is wrong */
};

/* A short name for an error code, for log lines. */
const char *hv_strerror(int err);

#endif
