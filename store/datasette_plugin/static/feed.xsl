<?xml version="1.0" encoding="utf-8"?>
<!-- The Atom feed shown as a page when opened in a browser; feed readers ignore this.
     Every value is copied with xsl:value-of, so scraped titles and excerpts stay text. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/></title>
        <style>
          body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 1rem auto; padding: 0 1rem; line-height: 1.5; }
          .note { background: #f3f4f6; padding: 0.6em 0.8em; border-radius: 4px; font-size: 0.9rem; }
          .entry { border-bottom: 1px solid #e5e7eb; padding: 0.8em 0; overflow-wrap: anywhere; }
          .entry h2 { font-size: 1.05rem; margin: 0 0 0.2em 0; font-family: "Noto Naskh Arabic", "Amiri", Arial, sans-serif; }
          .summary { font-family: "Noto Naskh Arabic", "Amiri", Arial, sans-serif; }
          time { color: #555; font-size: 0.85rem; }
        </style>
      </head>
      <body>
        <h1 dir="auto"><xsl:value-of select="atom:title"/></h1>
        <p class="note">This is an Atom feed: copy its address into a feed reader to follow changes.
          · هذا موجز Atom: انسخ عنوانه في قارئ موجزات لمتابعة التغييرات.
          · <a href="{atom:link[@rel='alternate']/@href}">Watched pages · الصفحات المرصودة</a></p>
        <xsl:for-each select="atom:entry">
          <div class="entry">
            <h2 dir="auto"><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
            <time><xsl:value-of select="atom:updated"/></time>
            <p class="summary" dir="auto"><xsl:value-of select="atom:summary"/></p>
          </div>
        </xsl:for-each>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
