from django.contrib.staticfiles import finders


def test_vendor_finder_serves_the_files_pages_use():
    for path in (
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "core/icons/icons.css",
        "core/icons/bootstrap-icons.woff2",
        "vendor/htmx/htmx.min.js",
        "vendor/echarts/echarts.min.js",
        "vendor/echarts/echarts.common.min.js",
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/images/marker-icon.png",
    ):
        assert finders.find(path), path


def test_vendor_finder_leaves_out_the_rest_of_the_packages():
    assert finders.find("vendor/echarts/echarts.js") is None
    assert finders.find("vendor/bootstrap/css/bootstrap-grid.css") is None
    assert finders.find("vendor/axe-core/package.json") is None
    listed = {path for finder in finders.get_finders() for path, _storage in finder.list([])}
    vendor = {p for p in listed if p.startswith(("css/", "js/", "fonts/", "images/")) or p.endswith(".js")}
    assert "echarts.js" not in vendor
