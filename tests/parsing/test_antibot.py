"""Anti-bot answers (crawler/parsing/antibot.py) from pages modelled on the real ones."""
from crawler.parsing.antibot import blocked_reason

RUISHU_412 = (b'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
              b'<meta id="9DhefwqGPrzGxEp9hPaoag" content="x8Yv3kqV0L2.Qp">'
              b'<script type="text/javascript" r="m">$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};$_ts.nsd=84533;'
              b'$_ts.cd="qEJcrpAlqGWmcsAEqGqWr1AEcqkWDGLtqGVEEqAlDaQ9qa7mH";</script>'
              b'<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.js" r="m"></script>'
              b'</head><body></body></html>')
JIASULE_521 = (b"<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+"
               b"('e')+('a')+('r')+('a')+('n')+('c')+('e')+'=1733299200.123|0|'+'abc%3D'+';max-age=3600;"
               b"path=/';location.href=location.pathname+location.search</script></body></html>")
CAPTCHA = ("<html><head><title>安全验证</title></head><body><div class='captcha-box'>"
           "<p>访问过于频繁，请输入验证码后继续访问</p><img src='/captcha.jpg'><input name='code'>"
           "<button>提交</button></div></body></html>").encode("utf-8")
SLIDER = ("<html><body><div id='nc_1'>请向右滑动完成滑块验证</div>"
          "<script src='https://static.geetest.com/static/js/gt.0.4.9.js'></script></body></html>").encode("gb18030")
ARTICLE = ("<html><head><title>园区推出政务服务“一网通办”</title></head><body><div class='article'><h1>园区推出"
           "政务服务“一网通办”</h1>" + "<p>企业登录平台后输入手机验证码即可办理，请输入验证码的环节已简化为一步，"
           "不再需要安全验证以外的材料。园区管委会表示，此举将大幅提升企业办事效率。</p>" * 12
           + "</div></body></html>").encode("utf-8")


def test_ruishu_412_is_a_script_challenge():
    assert blocked_reason(412, {}, RUISHU_412) == "http 412 script challenge"


def test_jiasule_521_is_a_script_challenge():
    assert blocked_reason(521, {}, JIASULE_521) == "http 521 script challenge"


def test_captcha_pages_with_403_or_200():
    assert blocked_reason(403, {}, CAPTCHA) == "captcha page"
    assert blocked_reason(200, {}, SLIDER) == "captcha page"


def test_an_article_mentioning_captcha_is_not_blocked():
    assert blocked_reason(200, {}, ARTICLE) is None
    assert blocked_reason(200, {}, "<p>请输入验证码</p>".encode() + ARTICLE) is None


def test_ordinary_error_pages_are_not_blocked():
    assert blocked_reason(412, {}, b"<html><body><h1>412 Precondition Failed</h1></body></html>") is None
    assert blocked_reason(404, {}, CAPTCHA) is None
    assert blocked_reason(200, {}, JIASULE_521) is None  # a cookie script on a 200 is a page's own
    assert blocked_reason(521, {}, b"") is None
