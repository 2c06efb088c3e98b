<?xml version="1.0" encoding="UTF-8"?>
<!--
  request-export.xsl - a privforms data package (request-export.xsd) as a
  page a person can read.

  The package names this stylesheet by a relative href, so a browser that
  opens the package applies it when the file sits in the same directory.
  Or, with stock tools:  xsltproc request-export.xsl package.xml > package.html
  XSLT 1.0; the page loads nothing from anywhere (the style is inline).
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:e="urn:privforms:export:1"
                exclude-result-prefixes="e">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
              doctype-system="about:legacy-compat"/>

  <xsl:template match="/e:data-export">
    <html lang="en">
      <head>
        <title>Your personal data: request <xsl:value-of select="e:answers/e:id"/></title>
        <style>
          body { font-family: sans-serif; max-width: 60em; margin: 2em auto;
                 padding: 0 1em; color: #222; line-height: 1.4; }
          h1 { font-size: 1.6em; }
          h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
          h3 { font-size: 1.05em; }
          table { border-collapse: collapse; margin: 0.5em 0 1em; width: 100%; }
          th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; text-align: left;
                   vertical-align: top; }
          th { background: #f3f3f3; }
          th[scope="row"] { width: 14em; }
          td.text { white-space: pre-wrap; }
          p.none { color: #666; font-style: italic; }
          .note { color: #444; }
        </style>
      </head>
      <body>
        <h1>Your personal data held by this service</h1>
        <p class="note">
          This package answers request <xsl:value-of select="e:answers/e:id"/>.
          It was made on <xsl:value-of select="@generated"/>.
          Times are in UTC.
        </p>
        <xsl:apply-templates select="e:answers"/>
        <xsl:apply-templates select="e:parties"/>
        <xsl:apply-templates select="e:opt-outs"/>
        <xsl:apply-templates select="e:do-not-call"/>
        <xsl:apply-templates select="e:requests"/>
        <xsl:apply-templates select="e:feedback"/>
        <xsl:apply-templates select="e:sale-opt-outs"/>
        <xsl:apply-templates select="e:consent-records"/>
        <xsl:apply-templates select="e:elsewhere"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="e:answers">
    <h2>The request this answers</h2>
    <table>
      <tr><th scope="row">Request</th><td><xsl:value-of select="e:id"/></td></tr>
      <tr><th scope="row">Type</th><td><xsl:apply-templates select="e:type"/></td></tr>
      <tr><th scope="row">Received</th><td><xsl:value-of select="e:received"/></td></tr>
      <tr><th scope="row">Due</th><td><xsl:value-of select="e:due"/></td></tr>
      <tr><th scope="row">Law</th><td><xsl:value-of select="e:law"/></td></tr>
    </table>
  </xsl:template>

  <xsl:template match="e:parties">
    <h2>Your email addresses</h2>
    <xsl:choose>
      <xsl:when test="e:party">
        <table>
          <tr><th>Party</th><th>Email address</th><th>First seen</th></tr>
          <xsl:for-each select="e:party">
            <tr>
              <td><xsl:value-of select="e:id"/></td>
              <td><xsl:call-template name="or-erased">
                <xsl:with-param name="v" select="e:email"/>
              </xsl:call-template></td>
              <td><xsl:value-of select="e:first-seen"/></td>
            </tr>
          </xsl:for-each>
        </table>
      </xsl:when>
      <xsl:otherwise><p class="none">None.</p></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="e:sale-opt-outs">
    <h2>Opt-outs of the sale and sharing of your personal information</h2>
    <xsl:choose>
      <xsl:when test="e:opt-out">
        <table>
          <tr><th>Address</th><th>Browser</th><th>When</th></tr>
          <xsl:for-each select="e:opt-out">
            <tr>
              <td><xsl:value-of select="e:address"/></td>
              <td><xsl:value-of select="e:device"/></td>
              <td><xsl:value-of select="e:created"/></td>
            </tr>
          </xsl:for-each>
        </table>
      </xsl:when>
      <xsl:otherwise><p class="none">None.</p></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="e:consent-records">
    <h2>Cookie choices made in those browsers</h2>
    <xsl:choose>
      <xsl:when test="e:record">
        <table>
          <tr><th>Browser</th><th>Allowed</th><th>Refused</th><th>Action</th>
              <th>How</th><th>Privacy signal</th><th>When</th></tr>
          <xsl:for-each select="e:record">
            <tr>
              <td><xsl:value-of select="e:device"/></td>
              <td><xsl:value-of select="e:allowed"/></td>
              <td><xsl:value-of select="e:refused"/></td>
              <td><xsl:value-of select="e:action"/></td>
              <td><xsl:value-of select="e:method"/></td>
              <td><xsl:choose>
                <xsl:when test="e:gpc = 'true'">Yes</xsl:when>
                <xsl:otherwise>No</xsl:otherwise>
              </xsl:choose></td>
              <td><xsl:value-of select="e:created"/></td>
            </tr>
          </xsl:for-each>
        </table>
      </xsl:when>
      <xsl:otherwise><p class="none">None.</p></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="e:opt-outs">
    <h2>Marketing opt-outs</h2>
    <xsl:choose>
      <xsl:when test="e:opt-out">
        <table>
          <tr><th>Channel</th><th>Address</th><th>List</th><th>Reason</th>
              <th>How</th><th>First</th><th>Latest</th></tr>
          <xsl:for-each select="e:opt-out">
            <tr>
              <td><xsl:apply-templates select="e:channel"/></td>
              <td><xsl:value-of select="e:address"/></td>
              <td><xsl:choose>
                <xsl:when test="string(e:list) = ''">Every list</xsl:when>
                <xsl:otherwise><xsl:value-of select="e:list"/></xsl:otherwise>
              </xsl:choose></td>
              <td class="text"><xsl:value-of select="e:reason"/></td>
              <td><xsl:choose>
                <xsl:when test="e:source = 'one-click'">One-click link in an email</xsl:when>
                <xsl:otherwise>The unsubscribe form</xsl:otherwise>
              </xsl:choose></td>
              <td><xsl:value-of select="e:created"/></td>
              <td><xsl:value-of select="e:updated"/></td>
            </tr>
          </xsl:for-each>
        </table>
      </xsl:when>
      <xsl:otherwise><p class="none">None.</p></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="e:do-not-call">
    <h2>Do-Not-Call register</h2>
    <xsl:choose>
      <xsl:when test="e:entry">
        <table>
          <tr><th>Number</th><th>Country</th><th>First name</th><th>Last name</th>
              <th>Company</th><th>Registered</th><th>Latest</th></tr>
          <xsl:for-each select="e:entry">
            <tr>
              <td><xsl:value-of select="e:number"/></td>
              <td><xsl:value-of select="e:country"/></td>
              <td><xsl:value-of select="e:first-name"/></td>
              <td><xsl:value-of select="e:last-name"/></td>
              <td><xsl:value-of select="e:company"/></td>
              <td><xsl:value-of select="e:registered"/></td>
              <td><xsl:value-of select="e:updated"/></td>
            </tr>
          </xsl:for-each>
        </table>
      </xsl:when>
      <xsl:otherwise><p class="none">None.</p></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="e:requests">
    <h2>Your privacy requests</h2>
    <xsl:if test="not(e:request)"><p class="none">None.</p></xsl:if>
    <xsl:for-each select="e:request">
      <h3>Request <xsl:value-of select="e:id"/></h3>
      <table>
        <tr><th scope="row">Type</th><td><xsl:apply-templates select="e:type"/></td></tr>
        <tr><th scope="row">Status</th><td><xsl:apply-templates select="e:status"/></td></tr>
        <tr><th scope="row">Relationship</th><td><xsl:apply-templates select="e:relationship"/></td></tr>
        <xsl:call-template name="row">
          <xsl:with-param name="label">Organisation</xsl:with-param>
          <xsl:with-param name="v" select="e:organisation"/>
        </xsl:call-template>
        <xsl:call-template name="row">
          <xsl:with-param name="label">First name</xsl:with-param>
          <xsl:with-param name="v" select="e:first-name"/>
        </xsl:call-template>
        <xsl:call-template name="row">
          <xsl:with-param name="label">Last name</xsl:with-param>
          <xsl:with-param name="v" select="e:last-name"/>
        </xsl:call-template>
        <xsl:call-template name="row">
          <xsl:with-param name="label">Email address</xsl:with-param>
          <xsl:with-param name="v" select="e:email"/>
        </xsl:call-template>
        <tr><th scope="row">Country</th><td><xsl:value-of select="e:country"/>
          <xsl:if test="e:state"> (<xsl:value-of select="e:state"/>)</xsl:if></td></tr>
        <xsl:call-template name="row">
          <xsl:with-param name="label">Details</xsl:with-param>
          <xsl:with-param name="v" select="e:details"/>
        </xsl:call-template>
        <tr><th scope="row">Law</th><td><xsl:value-of select="e:law"/></td></tr>
        <tr><th scope="row">Received</th><td><xsl:value-of select="e:received"/></td></tr>
        <tr><th scope="row">Due</th><td><xsl:value-of select="e:due"/>
          <xsl:if test="e:extended = 'true'"> (extended)</xsl:if></td></tr>
        <xsl:call-template name="row">
          <xsl:with-param name="label">Acknowledge by</xsl:with-param>
          <xsl:with-param name="v" select="e:acknowledge"/>
        </xsl:call-template>
        <xsl:call-template name="row">
          <xsl:with-param name="label">Possible extension</xsl:with-param>
          <xsl:with-param name="v" select="e:extension"/>
        </xsl:call-template>
        <tr><th scope="row">Reference in our records</th>
          <td><xsl:value-of select="e:pseudonym"/></td></tr>
        <tr><th scope="row">Last changed</th><td><xsl:value-of select="e:updated"/></td></tr>
        <xsl:for-each select="e:agent">
          <xsl:call-template name="row">
            <xsl:with-param name="label">Made for you by</xsl:with-param>
            <xsl:with-param name="v" select="e:name"/>
          </xsl:call-template>
          <xsl:call-template name="row">
            <xsl:with-param name="label">Their email address</xsl:with-param>
            <xsl:with-param name="v" select="e:email"/>
          </xsl:call-template>
          <tr><th scope="row">What they are to you</th><td><xsl:value-of select="e:relationship"/></td></tr>
          <tr><th scope="row">Your answer</th><td><xsl:value-of select="e:answer"/>
            <xsl:if test="e:answered"> (<xsl:value-of select="e:answered"/>)</xsl:if></td></tr>
        </xsl:for-each>
        <xsl:if test="e:appeal">
          <tr><th scope="row">Appeal</th><td><xsl:choose>
            <xsl:when test="e:appeal/e:state = 'open'">Open: we decide by
              <xsl:value-of select="e:appeal/e:due"/></xsl:when>
            <xsl:when test="e:appeal/e:state = 'granted'">Granted: we reviewed
              our decision and changed it</xsl:when>
            <xsl:otherwise>Denied: we reviewed our decision and kept
              it</xsl:otherwise>
          </xsl:choose></td></tr>
          <xsl:call-template name="row">
            <xsl:with-param name="label">What you wrote in your appeal</xsl:with-param>
            <xsl:with-param name="v" select="e:appeal/e:reason"/>
          </xsl:call-template>
        </xsl:if>
      </table>
      <table>
        <tr><th>#</th><th>When</th><th>Status</th><th>What you were told</th></tr>
        <xsl:for-each select="e:history/e:event">
          <tr>
            <td><xsl:value-of select="e:seq"/></td>
            <td><xsl:value-of select="e:time"/></td>
            <td><xsl:apply-templates select="e:status"/></td>
            <td class="text"><xsl:value-of select="e:note"/></td>
          </tr>
        </xsl:for-each>
      </table>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="e:feedback">
    <h2>Your feedback on our website</h2>
    <xsl:choose>
      <xsl:when test="e:entry">
        <table>
          <tr><th>#</th><th>Sent</th><th>Step 2 sent</th><th>Type</th>
              <th>Rating</th><th>Would recommend</th><th>Email address</th>
              <th>Message</th></tr>
          <xsl:for-each select="e:entry">
            <tr>
              <td><xsl:value-of select="e:id"/></td>
              <td><xsl:value-of select="e:received"/></td>
              <td><xsl:choose>
                <xsl:when test="e:completed"><xsl:value-of select="e:completed"/></xsl:when>
                <xsl:otherwise>Not sent</xsl:otherwise>
              </xsl:choose></td>
              <td><xsl:apply-templates select="e:type" mode="feedback"/></td>
              <td><xsl:apply-templates select="e:rating"/></td>
              <td><xsl:if test="e:recommend">
                <xsl:value-of select="e:recommend"/> of 10</xsl:if></td>
              <td><xsl:value-of select="e:email"/></td>
              <td class="text"><xsl:value-of select="e:message"/></td>
            </tr>
          </xsl:for-each>
        </table>
      </xsl:when>
      <xsl:otherwise><p class="none">None.</p></xsl:otherwise>
    </xsl:choose>
    <p class="note">Votes on whether a help article solved your issue are
      anonymous: they cannot be found for anyone, so none are listed.</p>
  </xsl:template>

  <xsl:template match="e:elsewhere">
    <h2>Personal data held elsewhere</h2>
    <xsl:if test="e:system">
      <ul>
        <xsl:for-each select="e:system">
          <li><xsl:value-of select="."/></li>
        </xsl:for-each>
      </ul>
    </xsl:if>
    <p><xsl:value-of select="e:note"/></p>
  </xsl:template>

  <!-- A row for an optional field: absent means erased or never given. -->
  <xsl:template name="row">
    <xsl:param name="label"/>
    <xsl:param name="v"/>
    <tr>
      <th scope="row"><xsl:value-of select="$label"/></th>
      <td class="text"><xsl:call-template name="or-erased">
        <xsl:with-param name="v" select="$v"/>
      </xsl:call-template></td>
    </tr>
  </xsl:template>

  <xsl:template name="or-erased">
    <xsl:param name="v"/>
    <xsl:choose>
      <xsl:when test="$v"><xsl:value-of select="$v"/></xsl:when>
      <xsl:otherwise><span class="none">(none held)</span></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="e:channel">
    <xsl:choose>
      <xsl:when test=". = 'sms'">Text messages (SMS)</xsl:when>
      <xsl:otherwise>Email</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- lib/dsr.c's labels. -->
  <xsl:template match="e:type">
    <xsl:choose>
      <xsl:when test=". = 'access'">A copy of my personal data</xsl:when>
      <xsl:when test=". = 'deletion'">Delete my personal data</xsl:when>
      <xsl:when test=". = 'correction'">Correct my personal data</xsl:when>
      <xsl:when test=". = 'portability'">A portable copy of my data</xsl:when>
      <xsl:when test=". = 'restriction'">Restrict the processing of my data</xsl:when>
      <xsl:when test=". = 'objection'">Object to the processing of my data</xsl:when>
      <xsl:when test=". = 'opt-out-sale'">Do not sell or share my personal information</xsl:when>
      <xsl:otherwise>Another privacy question</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- lib/feedback.c's labels. -->
  <xsl:template match="e:type" mode="feedback">
    <xsl:choose>
      <xsl:when test=". = 'compliment'">Compliment</xsl:when>
      <xsl:when test=". = 'question'">Question</xsl:when>
      <xsl:when test=". = 'product-inquiry'">Product inquiry</xsl:when>
      <xsl:when test=". = 'website-issue'">Website issue</xsl:when>
      <xsl:otherwise>Complaint</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="e:rating">
    <xsl:choose>
      <xsl:when test=". = 'terrible'">Terrible</xsl:when>
      <xsl:when test=". = 'bad'">Bad</xsl:when>
      <xsl:when test=". = 'okay'">Okay</xsl:when>
      <xsl:when test=". = 'great'">Great</xsl:when>
      <xsl:otherwise>Amazing</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="e:relationship">
    <xsl:choose>
      <xsl:when test=". = 'employee'">Employee</xsl:when>
      <xsl:when test=". = 'job-applicant'">Job applicant</xsl:when>
      <xsl:when test=". = 'prospect'">Prospect</xsl:when>
      <xsl:when test=". = 'customer'">Customer</xsl:when>
      <xsl:when test=". = 'website-user'">Website user</xsl:when>
      <xsl:when test=". = 'partner'">Partner</xsl:when>
      <xsl:when test=". = 'supplier'">Supplier</xsl:when>
      <xsl:when test=". = 'learning-platform-user'">Learning platform user</xsl:when>
      <xsl:when test=". = 'marketing-recipient'">Recipient of marketing communications</xsl:when>
      <xsl:when test=". = 'service-user'">User of the company's services</xsl:when>
      <xsl:otherwise>Other</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="e:status">
    <xsl:choose>
      <xsl:when test=". = 'unverified'">Waiting for you to confirm your email address</xsl:when>
      <xsl:when test=". = 'verified'">Verified: we are working on it</xsl:when>
      <xsl:when test=". = 'extended'">Extended: we need more time, as the law allows</xsl:when>
      <xsl:when test=". = 'fulfilled'">Done: we have answered your request</xsl:when>
      <xsl:when test=". = 'appealed'">Appealed: we are reviewing our decision</xsl:when>
      <xsl:when test=". = 'appeal-granted'">Appeal granted: we will carry out your request</xsl:when>
      <xsl:when test=". = 'appeal-denied'">Closed: we have reviewed our decision and keep it</xsl:when>
      <xsl:otherwise>Closed: we could not carry out your request</xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
