#pragma once
// Include ldns through here only: without <stdbool.h> first, ldns/common.h
// defines `bool`, `true` and `false` as macros, which breaks C++ headers.
#include <stdbool.h>

#include <ldns/ldns.h>
