/* SPDX-License-Identifier: Apache-2.0
 *
 * The pages' built-in templates, style and script (assets/),
 * embedded at build time by scripts/embed.sh. */
#ifndef STEPUP_ASSETS_H
#define STEPUP_ASSETS_H

#include <stddef.h>

extern const char stepup_asset_confirm_html[];
extern const size_t stepup_asset_confirm_html_len;
extern const char stepup_asset_confirm_parts_html[];
extern const size_t stepup_asset_confirm_parts_html_len;
extern const char stepup_asset_manage_html[];
extern const size_t stepup_asset_manage_html_len;
extern const char stepup_asset_manage_parts_html[];
extern const size_t stepup_asset_manage_parts_html_len;
extern const char stepup_asset_stepup_css[];
extern const size_t stepup_asset_stepup_css_len;
extern const char stepup_asset_stepup_js[];
extern const size_t stepup_asset_stepup_js_len;

extern const char stepup_asset_schema_sql[];
extern const size_t stepup_asset_schema_sql_len;

#endif
