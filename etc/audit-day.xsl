<?xml version="1.0" encoding="UTF-8"?>
<!--
  audit-day.xsl - a day of privforms audit records as a page to read in a
  browser: one table row per record.

  Its input is one element (any name) whose children are the records:
  a day's files without their XML declarations, inside <day>, as
  AUDIT.md's view-day block makes it with stock tools ("Reading a day in
  a browser"):

    sh view-day AUDIT_DIR/2026-11-24 etc/audit-day.xsl > 2026-11-24.xhtml

  The page shows what the files say; it checks nothing (verify-day does).
  XSLT 1.0, no extension.  Every value from a record reaches the page
  through xsl:value-of or an attribute value template, which the XML
  output escapes: there is no disable-output-escaping here, and nothing
  from a record ever becomes markup.  The page loads nothing (the style
  is inline) and has no script.  Its markup is XHTML that an HTML parser
  reads the same way (no empty element but the void ones), so it may be
  saved as .xhtml or .html.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:a="urn:privforms:audit:1"
                xmlns="http://www.w3.org/1999/xhtml"
                exclude-result-prefixes="a">
  <xsl:output method="xml" encoding="UTF-8" omit-xml-declaration="yes"
              doctype-system="about:legacy-compat"/>

  <!-- The records: the root's children, or the root if it is one. -->
  <xsl:variable name="records" select="/a:record | /*/a:record"/>
  <xsl:variable name="first" select="substring($records[1]/a:time, 1, 10)"/>
  <xsl:variable name="last"
                select="substring($records[last()]/a:time, 1, 10)"/>
  <!-- Hex digits shown of a digest or pseudonym; the title has them all. -->
  <xsl:variable name="shown" select="12"/>

  <xsl:template match="/">
    <html lang="en" xml:lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:call-template name="heading"/> &#8211; privforms</title>
        <style>
          :root { color-scheme: light dark; }
          body { font-family: system-ui, sans-serif; line-height: 1.4;
                 margin: 1rem; }
          h1 { font-size: 1.5rem; }
          .scroll { max-width: 100%; overflow-x: auto; }
          .scroll:focus-visible { outline: 3px solid; outline-offset: 2px; }
          table { border-collapse: collapse; }
          caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
          th, td { border: 1px solid; padding: 0.25rem 0.5rem;
                   text-align: left; vertical-align: top; }
          td, th[scope="row"] { font-variant-numeric: tabular-nums; }
          .hex, time { font-family: ui-monospace, monospace; white-space: nowrap; }
          .request { font-family: ui-monospace, monospace; word-break: break-all;
                     min-width: 16ch; }
          abbr { text-decoration: underline dotted; cursor: help; }
          ul { margin: 0; padding: 0; list-style: none; }
          li { white-space: nowrap; }
          .none { font-style: italic; }
        </style>
      </head>
      <body>
        <main>
          <h1><xsl:call-template name="heading"/></h1>
          <p>
            <xsl:value-of select="count($records)"/>
            <xsl:text> record</xsl:text>
            <xsl:if test="count($records) != 1">s</xsl:if>
            <xsl:if test="$records">
              <xsl:text>, seq </xsl:text>
              <xsl:value-of select="$records[1]/a:seq"/>
              <xsl:text> to </xsl:text>
              <xsl:value-of select="$records[last()]/a:seq"/>
            </xsl:if>
            <xsl:text>; times in UTC.  This page shows what the files say and
            checks nothing: verify the day first (AUDIT.md, "Verifying one
            day with stock tools").  Digests and pseudonyms are shortened to
            their first </xsl:text>
            <xsl:value-of select="$shown"/>
            <xsl:text> hex digits; each one's title, and its file, has it
            whole.</xsl:text>
          </p>
          <div class="scroll" role="region" aria-labelledby="caption"
               tabindex="0">
            <table>
              <caption id="caption">
                <xsl:call-template name="heading"/>
              </caption>
              <thead>
                <tr>
                  <th scope="col">Seq</th>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Form</th>
                  <th scope="col">Request</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Details</th>
                  <th scope="col">Prev</th>
                  <th scope="col">Digest</th>
                </tr>
              </thead>
              <tbody>
                <xsl:apply-templates select="$records"/>
                <xsl:if test="not($records)">
                  <tr><td colspan="9">No records.</td></tr>
                </xsl:if>
              </tbody>
            </table>
          </div>
        </main>
      </body>
    </html>
  </xsl:template>

  <!-- "Audit records of DAY", or "from DAY to DAY" for more than one. -->
  <xsl:template name="heading">
    <xsl:text>Audit records</xsl:text>
    <xsl:choose>
      <xsl:when test="not($records)"/>
      <xsl:when test="$first = $last">
        <xsl:text> of </xsl:text>
        <xsl:value-of select="$first"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:text> from </xsl:text>
        <xsl:value-of select="$first"/>
        <xsl:text> to </xsl:text>
        <xsl:value-of select="$last"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="a:record">
    <tr>
      <th scope="row"><xsl:call-template name="text">
        <xsl:with-param name="v" select="a:seq"/>
      </xsl:call-template></th>
      <td><xsl:choose>
        <xsl:when test="string(a:time) != ''">
          <xsl:apply-templates select="a:time"/>
        </xsl:when>
        <xsl:otherwise><xsl:call-template name="text">
          <xsl:with-param name="v" select="a:time"/>
        </xsl:call-template></xsl:otherwise>
      </xsl:choose></td>
      <td><xsl:call-template name="text">
        <xsl:with-param name="v" select="a:event"/>
      </xsl:call-template></td>
      <td><xsl:call-template name="text">
        <xsl:with-param name="v" select="a:form"/>
      </xsl:call-template></td>
      <td class="request"><xsl:call-template name="text">
        <xsl:with-param name="v" select="a:request"/>
      </xsl:call-template></td>
      <td><xsl:call-template name="hex">
        <xsl:with-param name="v" select="a:subject"/>
      </xsl:call-template></td>
      <td><xsl:choose>
        <xsl:when test="a:detail">
          <ul><xsl:apply-templates select="a:detail"/></ul>
        </xsl:when>
        <xsl:otherwise><span class="none">none</span></xsl:otherwise>
      </xsl:choose></td>
      <td><xsl:call-template name="hex">
        <xsl:with-param name="v" select="a:prev"/>
      </xsl:call-template></td>
      <td><xsl:call-template name="hex">
        <xsl:with-param name="v" select="a:digest"/>
      </xsl:call-template></td>
    </tr>
  </xsl:template>

  <!-- The time of day when the page is one day, the whole time if not. -->
  <xsl:template match="a:time">
    <time datetime="{.}">
      <xsl:choose>
        <xsl:when test="$first = $last and string-length(.) &gt; 11">
          <xsl:value-of select="substring(., 12)"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
      </xsl:choose>
    </time>
  </xsl:template>

  <!-- "name: value"; bdi keeps a value's direction from its neighbours'. -->
  <xsl:template match="a:detail">
    <li>
      <xsl:value-of select="@name"/>
      <xsl:text>: </xsl:text>
      <xsl:choose>
        <xsl:when test="string(.) = ''">
          <span class="none">empty</span>
        </xsl:when>
        <xsl:otherwise><bdi><xsl:value-of select="."/></bdi></xsl:otherwise>
      </xsl:choose>
    </li>
  </xsl:template>

  <!-- An element's text; "none" when it is absent, "empty" when empty. -->
  <xsl:template name="text">
    <xsl:param name="v"/>
    <xsl:choose>
      <xsl:when test="not($v)"><span class="none">none</span></xsl:when>
      <xsl:when test="string($v) = ''"><span class="none">empty</span></xsl:when>
      <xsl:otherwise><xsl:value-of select="$v"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A long hex value shortened, whole in the title; else as text. -->
  <xsl:template name="hex">
    <xsl:param name="v"/>
    <xsl:choose>
      <xsl:when test="string-length($v) = 0">
        <xsl:call-template name="text">
          <xsl:with-param name="v" select="$v"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="string-length($v) &lt;= $shown">
        <span class="hex"><xsl:value-of select="$v"/></span>
      </xsl:when>
      <xsl:otherwise>
        <abbr class="hex" title="{$v}">
          <xsl:value-of select="substring($v, 1, $shown)"/>
          <xsl:text>&#8230;</xsl:text>
        </abbr>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
