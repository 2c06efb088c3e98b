<?xml version="1.0" encoding="UTF-8"?>
<!--
  audit-unsealed.xsl - a privforms audit record without its <digest>.

  The digest of a record is the SHA-256 of the canonical form (C14N 1.0,
  without comments) of the record with its digest element removed.  Give
  this stylesheet's output to xmllint's C14N option and sha256sum, as
  AUDIT.md shows.  xmllint's C14N keeps comments, so this copy drops them;
  nothing else is changed.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:a="urn:privforms:audit:1">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="@*|node()">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="/a:record/a:digest"/>
  <xsl:template match="comment()"/>
</xsl:stylesheet>
