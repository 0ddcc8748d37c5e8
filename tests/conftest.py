import pytest

from crawler.demo.server import SiteServer
from crawler.demo.site import build_demo_site


@pytest.fixture
def local_server():
    """A running SiteServer serving the bundled demo site; `local_server.site` is the DemoSite
    (`.pages`, `.expected`). Replace `local_server.pages` to change the site between runs."""
    site = build_demo_site()
    with SiteServer(dict(site.pages)) as srv:
        srv.site = site
        yield srv
