"""Names that Django, DRF, the templates and the libraries reach without Python seeing it: `make deadcode` (vulture,
configured in pyproject.toml) counts them as used.

A name here hides every unused definition of that name, so list only what is really reached, under who reaches
it. Nothing imports this module.
"""

from types import SimpleNamespace

_ = SimpleNamespace()

# Model fields, written by the services and read by forms, serializers, templates and the admin.
MODEL_FIELDS = (
    _.created_at, _.review_note, _.outcomes, _.submitted_at, _.published_at, _.demo_flows, _.built_at, _.failed_at,
    _.data_source, _.methodology, _.approved_at,
)

# Serializer, filter and data-class fields, read by DRF, django-filter and the templates by their names.
FIELDS_READ_BY_NAME = (
    _.q, _.year_from, _.year_to, _.docs, _.activities_led, _.activities_joined, _.participants_total,
    _.observations_used, _.observations_url, _.current_key, _.added, _.removed, _.since_published, _.since_returned,
    _.cancelled_left_out, _.partners_absent, _.coverage_cells, _.coverage_cells_empty, _.indicators_assessed,
    _.type_label, _.reporting_participants, _.xlsx, _.activity_groups, _.partners_url, _.partner_count,
    _.partner_name, _.return_url, _.round_url, _.indicator_name, _.indicator_url, _.needed_to_submit,
    _.extra_labels, _.activities_count, _.activities_next, _.activities_previous, _.participants_reported, _.more,
    _.complete,
)

# Properties the templates and serializers read.
PROPERTIES = (
    _.interregional, _.totals_by_instrument, _.share_asia_percent, _.balance_by_objective, _.has_progress_data,
    _.inline, _.was_empty, _.inline_diff, _.level_label, _.mode_label, _.state_label, _.remindable,
    _.totals_in_words, _.late, _.answer_fields, _.empty_form, _.svg,
)

# Options Django, DRF and the admin site read from a class or an object.
OPTIONS = (
    _.include_root_view, _.include_format_suffixes, _.authentication_classes, _.throttle_classes,
    _.http_method_names, _.default_auto_field, _.date_hierarchy, _.formset, _.redirect_authenticated_user,
    _.email_template_name, _.subject_template_name, _.target_class, _.accepted_media_type, _.read_only,
    _.site_header, _.site_title, _.index_title, _.enable_nav_sidebar, _.__str__, _.abstract, _.can_delete,
    _.show_change_link,
)

# Named in settings by their dotted path, or called by a library's protocol.
NAMED_IN_SETTINGS_OR_CALLED_BY_A_LIBRARY = (
    _.FilterBackend, _.ContentNegotiation, _.Pagination, _.ReadOnlyOrSignedIn, _.AnonThrottle, _.UserThrottle,
    _.DegradingRedisCache, _.locked_out, _.process_exception, _.readable, _.retrieve, _.partial_update,
    _._get_version_parameter,
)

# Attributes set for a library to read: django-simple-history's who and why, openpyxl's cell styles.
SET_FOR_A_LIBRARY = (
    _._history_user, _._change_reason, _.font, _.freeze_panes, _.alignment, _.fill, _.number_format,
)

# A changelist's queryset given the class whose dates() reads a date hierarchy's years from the index (core/admin.py).
SWAPPED_CLASS = (_.__class__,)

# Parameters that are only a cache's key: an indicator's address is remembered per script prefix too.
CACHE_KEYS = (_.script_prefix,)

# Parameters a signal, a check or a hook is called with.
HOOK_PARAMETERS = (_.sender, _.app_configs, _.cls, _.model_admin, _.credentials)

# Used by the tests alone, as part of what they pin: the engine's ranking of statuses, a refusal as data.
USED_BY_TESTS = (_.status_rank, _.as_list)

# Read by Django's syndication and sitemap frameworks by name: the feeds' and sitemaps' protocol.
FEEDS_AND_SITEMAPS = (
    _.subtitle, _.item_title, _.item_description, _.item_link, _.item_enclosures, _.item_pubdate, _.item_guid,
    _.item_guid_is_permalink, _.lastmod, _.feed_type, _.feed_copyright, _.item_updateddate, _.item_author_name,
)

# Read by the admin, its templates or a serializer by name: who asked for a data release, its checksum in short
# parts, an import change's old source, the SDMX import's dataflow field.
READ_BY_NAME = (
    _.requested_by, _.sha256_parts, _.old_source, _.dataflow,
)

# Read by templates and the admin: a count the paginator estimated, the admin's "N total" switch, the hidden copy's
# widget of a return's value input.
READ_BY_THE_ADMIN_OR_FORMS = (_.estimated, _.show_full_result_count, _.hidden_widget, _.lookup_choices)
